import { setTimeout as sleep } from "node:timers/promises";
import { parseDuration } from "../../config/index.js";
import { isSkiffError, serializeError } from "../../errors/index.js";
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
  /** The app task's signal: a record the disk refused is retried until it aborts. */
  signal?: AbortSignal;
}

/** How often a stop the disk refused to record is written again. */
const RECORD_RETRY_MS = 250;

/** A state write that failed for the host (a full disk, a busy lock), not for good. */
function isPassing(error: unknown): boolean {
  return isSkiffError(error) && (error.data?.cause === "host" || error.code === "ERR_SKIFF_AGENT_LOCKED");
}

/**
 * Writes a change that must follow a stop already done: state that still named the stopped
 * instance would make the agent ignore the app's next wake. A host fault is retried until it
 * passes (the app's worker stays busy meanwhile, so nothing acts on the stale record).
 */
async function recordStop(write: () => Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if (!isPassing(error) || signal?.aborted === true) throw error;
      await sleep(RECORD_RETRY_MS);
    }
  }
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
    // A stop that cannot be recorded is not begun: on a full disk the idle instance serves on.
    await updateAppState(data, app, () => undefined);
    const front = await openAppFront({ data, manifest: prepared.manifest, serving: staying });
    const ops = createSwapOps({ data, events, front, ...(input.drivers ? { drivers: input.drivers } : {}) });
    const asleep = staying.length === 0;
    const idle = prepared.manifest.deploy.scale.idle;
    for (const instance of going) {
      await front.drain(instance, parseDuration(prepared.manifest.deploy.drain_timeout));
      await ops.stop(instance);
      // Forgotten once stopped: an agent killed before this finds it running and routes to it again.
      await recordStop(
        () =>
          updateAppState(data, app, (s) => {
            s.instances = s.instances.filter((i) => i.id !== instance.id);
            if (asleep && s.instances.length === 0)
              s.asleep = { release: first.release, at: new Date().toISOString() };
          }),
        input.signal,
      );
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
