import { setTimeout as sleep } from "node:timers/promises";
import { serializeError } from "../../errors/index.js";
import type { EventBus, EventInput } from "../../events/index.js";
import type { FrontDoorClient, FrontEvent } from "../../proxy/index.js";
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

type RestartEvent = Extract<FrontEvent, { type: "engine-restarted" | "door-restarted" }>;

/** front.restored for a restart the door made or found; `restartedAt` is when it happened. */
function restoredEvent(event: RestartEvent, door: number): EventInput {
  const what =
    event.type === "door-restarted"
      ? `the front door (pid ${event.previous}) died while no agent watched it`
      : `the front door's ${event.engine} (pid ${event.previous}) died`;
  return {
    type: "front.restored",
    message: `${what}: pid ${event.pid} serves every app again`,
    data: {
      ...(event.type === "engine-restarted" ? { engine: event.engine } : {}),
      pid: event.pid,
      previous: event.previous,
      door,
      restartedAt: event.at,
    },
  };
}

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
    // The door this watch saw die (its front.restored is emitted here, once every app serves again).
    const seenDead = lastPid;
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
    // The stream ends when the door does, or when the agent stops: also when it stopped a moment ago,
    // while the door was being restored (a listener added after the abort would never hear it).
    const stream = new AbortController();
    const stop = (): void => stream.abort();
    await door.watch({
      signal: AbortSignal.any([signal, stream.signal]),
      onEvent: (event) => {
        if (event.type === "wake") options.onWake(event.app, event.held);
        // The door brought its HAProxy back itself, or replaced a door that died while no agent
        // watched: said here, where the host's events are, and then forgotten by the door.
        if (event.type === "engine-restarted" || event.type === "door-restarted") {
          // A door this watch saw die was reported above, once every app was served again.
          if (event.type === "engine-restarted" || event.previous !== seenDead)
            events.emit(restoredEvent(event, door.pid));
          if (event.id !== undefined) void door.restartReported(event.id).catch(() => undefined);
        }
      },
      onStreamEnd: stop,
    });
  }
}
