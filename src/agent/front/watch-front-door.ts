import { setTimeout as sleep } from "node:timers/promises";
import { serializeError } from "../../errors/index.js";
import type { EventBus } from "../../events/index.js";
import type { FrontDoorClient } from "../../proxy/index.js";
import { frontDoorOf } from "./front-door-of.js";

export interface WatchFrontDoorOptions {
  data: string;
  events: EventBus;
  signal: AbortSignal;
  /** The door holds `held` connections of an app that has no ready backend. */
  onWake(app: string, held: number): void;
  /** The door was started again (it died): every app's backends are set again. */
  onRestored(door: FrontDoorClient): Promise<void>;
}

const RETRY_MS = 500;

/**
 * Watches the host's front door for as long as the agent runs: wake requests go to `onWake`; the
 * moment its event stream ends (the door stopped or died) it is adopted or started again, every
 * app restored, and `front.restored` reported. Resolves when the signal aborts; never throws.
 */
export async function watchFrontDoor(options: WatchFrontDoorOptions): Promise<void> {
  const { signal, events } = options;
  let lastPid: number | undefined;
  while (!signal.aborted) {
    let door: FrontDoorClient;
    try {
      door = await frontDoorOf(options.data);
      if (lastPid !== undefined && door.pid !== lastPid) {
        await options.onRestored(door);
        events.emit({
          type: "front.restored",
          message: `the front door (pid ${lastPid}) was gone: pid ${door.pid} serves every app again`,
          data: { pid: door.pid, previous: lastPid },
        });
      }
      lastPid = door.pid;
    } catch (error) {
      events.emit({
        type: "front.failed",
        message: "the front door could not be started or could not serve every app again",
        error: serializeError(error),
      });
      await sleep(RETRY_MS, undefined, { signal }).catch(() => undefined);
      continue;
    }
    const stream = new AbortController();
    const stop = (): void => stream.abort();
    signal.addEventListener("abort", stop, { once: true });
    await door.watch({
      signal: stream.signal,
      onEvent: (event) => {
        if (event.type === "wake") options.onWake(event.app, event.held);
        // The door brought its HAProxy back itself: said here, where the host's events are.
        if (event.type === "engine-restarted")
          events.emit({
            type: "front.restored",
            message: `the front door's ${event.engine} (pid ${event.previous}) died: pid ${event.pid} serves every app again`,
            data: { engine: event.engine, pid: event.pid, previous: event.previous, door: door.pid },
          });
      },
      onStreamEnd: stop,
    });
    signal.removeEventListener("abort", stop);
  }
}
