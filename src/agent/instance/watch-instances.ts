import type { Instance } from "../../drivers/index.js";
import { inspectInstance } from "../../drivers/light.js";
import { isSameProcess } from "../../process/index.js";

export interface WatchInstancesOptions {
  /** The instances that should be running now (state's, of apps neither stopped nor mid-swap). */
  running(): Instance[];
  /** An instance that was running is gone (its driver says exited). Called once per instance. */
  onExit(instance: Instance): void;
  /** After each look at every instance. */
  onLook?(): void;
  signal: AbortSignal;
}

/** How often each instance's process is looked at: a read of /proc per instance, nothing spawned. */
const LOOK_MS = 50;

/** A process-backed instance (pid and its start time) still runs; undefined: not one, ask its driver. */
function processRuns(instance: Instance): boolean | undefined {
  const { pid, startTime } = instance.handle;
  if (typeof pid !== "number" || typeof startTime !== "string" || startTime === "") return undefined;
  return isSameProcess(pid, startTime);
}

/**
 * Watches every running instance while the agent runs, and reports one that exited (killed, crashed)
 * at once instead of at the next pass. Instances without a process handle (xen domains) are left to
 * the pass. Resolves when the signal aborts.
 */
export async function watchInstances(options: WatchInstancesOptions): Promise<void> {
  const reported = new Set<string>();
  while (!options.signal.aborted) {
    const running = options.running();
    const ids = new Set(running.map((i) => i.id));
    for (const id of reported) if (!ids.has(id)) reported.delete(id);
    for (const instance of running) {
      if (reported.has(instance.id) || processRuns(instance) !== false) continue;
      // The driver has the last word (a handle of another shape than the unix driver's, say).
      if ((await inspectInstance(instance)) !== "exited") continue;
      reported.add(instance.id);
      options.onExit(instance);
    }
    options.onLook?.();
    await new Promise((resolve) => setTimeout(resolve, LOOK_MS));
  }
}
