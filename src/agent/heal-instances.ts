import type { Instance } from "../drivers/index.js";
import type { PassContext } from "./loop/index.js";
import { noteInstanceExit, watchInstances } from "./instance/index.js";
import type { ActionOutcome } from "./swap/index.js";
import { readState } from "./state/index.js";

export interface HealInstancesOptions {
  ctx: PassContext<ActionOutcome>;
  /** Reconciles one app in its worker now (a dead instance is restarted), without waiting for a pass. */
  reconcile(app: string, signal: AbortSignal): Promise<ActionOutcome | undefined>;
}

/** What state says runs: every instance of apps neither stopped, removed, nor in a swap (the swap watches its own). */
function runningNow(data: string): Instance[] {
  return Object.values(readState(data).apps).flatMap((app) =>
    app.stopped !== undefined || app.removedAt !== undefined || app.swap !== undefined ? [] : app.instances,
  );
}

/**
 * While the agent runs: an instance that exits is reported at once (instance.exited), the front door
 * stops sending it connections (with no other instance it holds them, as for a wake), and the app's
 * worker restarts it — the moment it died, not at the next pass. A deploy in flight in that worker
 * goes first and replaces it; the event is said either way.
 */
export function startInstanceHealing(options: HealInstancesOptions): { stop(): Promise<void> } {
  const { ctx } = options;
  const abort = new AbortController();
  const heal = (dead: Instance, signal: AbortSignal): Promise<ActionOutcome | undefined> => {
    const listed = readState(ctx.data).apps[dead.app]?.instances.some((i) => i.id === dead.id) === true;
    // The restart (restart-instance.ts) routes the door away from the dead instance first.
    return listed ? options.reconcile(dead.app, signal) : Promise.resolve(undefined);
  };
  // Exits seen while the app's worker was busy: its task may be the one that stopped the instance
  // (an idle stop, a deploy), so they wait for the worker to be idle and are healed then if still recorded.
  const exits = new Map<string, Instance>();
  const takeExits = (): void => {
    if (exits.size === 0) return;
    // One read for every exit of this look, not one per exit.
    const { apps } = readState(ctx.data);
    for (const [id, dead] of exits) {
      if (ctx.workers.busy(dead.app) !== undefined) continue;
      exits.delete(id);
      if (!apps[dead.app]?.instances.some((i) => i.id === id)) continue;
      noteInstanceExit(id);
      ctx.events.child({ app: dead.app, release: dead.release }).emit({
        type: "instance.exited",
        message: `instance ${id} of release ${dead.release} exited`,
        data: { instance: id, ...(typeof dead.handle.pid === "number" ? { pid: dead.handle.pid } : {}) },
      });
      // Idle worker: this runs now (no waiting task is replaced, no task in flight is superseded).
      void ctx.workers
        .submit(dead.app, { what: "restart", run: (signal) => heal(dead, signal) })
        .catch(() => undefined);
    }
  };
  const watching = watchInstances({
    signal: abort.signal,
    running: () => runningNow(ctx.data),
    onExit: (dead) => {
      exits.set(dead.id, dead);
      takeExits();
    },
    onLook: takeExits,
  });
  return {
    async stop() {
      abort.abort();
      await watching;
    },
  };
}
