import { parseDuration } from "../../config/index.js";
import { serializeError } from "../../errors/index.js";
import type { EventBus } from "../../events/index.js";
import { openAppFront } from "../front/index.js";
import type { HostDrivers } from "../gate/index.js";
import { loadLocalRelease } from "../instance/index.js";
import { readState, updateAppState } from "../state/index.js";
import { createSwapOps } from "../swap/index.js";

export interface StopIdleInput {
  data: string;
  app: string;
  events: EventBus;
  drivers?: HostDrivers;
  /** The idle instances to stop (by id). */
  stop: readonly string[];
}

/**
 * Stops idle instances of the app: the front door routes away from them first (a connection that
 * arrives meanwhile goes to the others, or is held and wakes the app), then each drains and stops.
 * The last one leaves the app asleep (instance.idle_stopped); one of several is instance.scaled_down.
 * True when the app is now asleep. Never throws.
 */
export async function stopIdle(input: StopIdleInput): Promise<boolean> {
  const { data, app } = input;
  const state = readState(data).apps[app];
  const leaving = new Set(input.stop);
  const going = state?.instances.filter((i) => leaving.has(i.id)) ?? [];
  const first = going[0];
  if (state === undefined || state.stopped !== undefined || first === undefined) return false;
  const staying = state.instances.filter((i) => !leaving.has(i.id));
  const events = input.events.child({ app, release: first.release });
  try {
    const prepared = loadLocalRelease(data, app, first.release);
    if (prepared === undefined) return false;
    const front = await openAppFront({ data, manifest: prepared.manifest, serving: staying });
    const ops = createSwapOps({ data, events, front, ...(input.drivers ? { drivers: input.drivers } : {}) });
    const asleep = staying.length === 0;
    const idle = prepared.manifest.deploy.scale.idle;
    for (const instance of going) {
      await front.drain(instance, parseDuration(prepared.manifest.deploy.drain_timeout));
      await ops.stop(instance);
      // Forgotten once stopped: an agent killed before this finds it running and routes to it again.
      await updateAppState(data, app, (s) => {
        s.instances = s.instances.filter((i) => i.id !== instance.id);
        if (asleep && s.instances.length === 0)
          s.asleep = { release: first.release, at: new Date().toISOString() };
      });
      const last = asleep && instance === going.at(-1);
      events.emit({
        type: last ? "instance.idle_stopped" : "instance.scaled_down",
        release: instance.release,
        message: last
          ? `${instance.id} had no connection for ${idle}: stopped, ${app} sleeps until the next one`
          : `${instance.id} had no connection for ${idle}: stopped, ${staying.length} instance(s) serve`,
        data: { instance: instance.id, idle, instances: staying.length },
      });
    }
    return asleep;
  } catch (error) {
    events.emit({
      type: "instance.scale_down_failed",
      message: `could not stop idle instances of ${app}: ${serializeError(error).message}`,
      error: serializeError(error),
    });
    return false;
  }
}
