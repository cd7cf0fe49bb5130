import type { FleetGate } from "../../fleet/index.js";
import type { EventSink } from "../../events/index.js";
import { loadLocalRelease } from "../instance/index.js";
import { readStatus } from "../operate/index.js";
import { toHostAppStatus } from "./host-app-status.js";

export interface FleetPublisherOptions {
  data: string;
  fleet: FleetGate;
  /** The drivers this host offers (--drivers). */
  drivers: readonly string[];
  /** The release an app's worker acts on now, if any. */
  busy: (app: string) => number | undefined;
  /** Coalesces a burst of events into one publish (default 100 ms). */
  delayMs?: number;
}

/**
 * Publishes this host's apps to the fleet whenever an event says something changed: a sink on the
 * agent's events. Reads what state and the drivers say at that moment; a failed read waits for the
 * next event (the fleet keeps the last record until the host's lease ends).
 */
export function createFleetPublisher(
  options: FleetPublisherOptions,
): EventSink & { publishNow(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  const publishNow = async (): Promise<void> => {
    const statuses = await readStatus(options.data).catch(() => undefined);
    if (statuses === undefined) return;
    options.fleet.publish(
      statuses.map((status) =>
        toHostAppStatus(status, {
          drivers: options.drivers,
          ...targetOf(options.data, status.app, status.release),
          ...busyOf(options.busy(status.app)),
        }),
      ),
    );
  };
  return {
    publishNow,
    emit(event) {
      // The fleet's own events (slots, halts) and notification results change nothing here.
      if (event.type.startsWith("fleet.") || event.type.startsWith("notify.") || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        void publishNow();
      }, options.delayMs ?? 100);
      timer.unref();
    },
  };
}

function targetOf(data: string, app: string, release: number | undefined): { target?: string } {
  if (release === undefined) return {};
  const target = loadLocalRelease(data, app, release)?.manifest.target;
  return target === undefined ? {} : { target };
}

function busyOf(release: number | undefined): { busy?: number } {
  return release === undefined ? {} : { busy: release };
}
