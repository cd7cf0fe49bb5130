import type { Instance } from "../drivers/index.js";
import type { PassContext } from "./loop/index.js";
import { noteInstanceExit, watchInstances } from "./instance/index.js";
import type { ActionOutcome } from "./swap/index.js";
import { createStateReader, type AgentState } from "./state/index.js";

export interface HealInstancesOptions {
  ctx: PassContext<ActionOutcome>;
  /** Reconciles one app in its worker now (a dead instance is restarted), without waiting for a pass. */
  reconcile(app: string, signal: AbortSignal): Promise<ActionOutcome | undefined>;
}

/** What state says runs: every instance of apps neither stopped, removed, nor in a swap (the swap watches its own). */
function runningNow(state: Readonly<AgentState>): Instance[] {
  return Object.values(state.apps).flatMap((app) =>
    app.stopped !== undefined || app.removedAt !== undefined || app.swap !== undefined ? [] : app.instances,
  );
}

/** Whether state still names the instance (a task that replaced or stopped it has forgotten it). */
function isListed(state: Readonly<AgentState>, instance: Instance): boolean {
  return state.apps[instance.app]?.instances.some((i) => i.id === instance.id) === true;
}

/**
 * How long an exit seen while the app's worker is busy waits before it is said anyway: a task that
 * stops an instance itself says instance.stopped the moment its driver is done, well within this.
 */
const BUSY_REPORT_AFTER_MS = 2000;

/** How long a stop by the agent's own task is remembered for the watch to see its exit. */
const STOPPED_KEPT_MS = 60_000;

interface PendingExit {
  dead: Instance;
  seenAt: number;
  /** instance.exited was said (while the worker was busy); the restart waits for the worker still. */
  reported: boolean;
}

/**
 * While the agent runs: an instance that exits is reported at once (instance.exited), the front door
 * stops sending it connections (with no other instance it holds them, as for a wake), and the app's
 * worker restarts it — the moment it died, not at the next pass. A deploy in flight in that worker
 * goes first and replaces it; the event is said either way, within BUSY_REPORT_AFTER_MS.
 */
export function startInstanceHealing(options: HealInstancesOptions): { stop(): Promise<void> } {
  const { ctx } = options;
  const abort = new AbortController();
  // Looked at every 50 ms: parsed again only when an agent wrote it.
  const readState = createStateReader(ctx.data);
  const heal = (dead: Instance, signal: AbortSignal): Promise<ActionOutcome | undefined> => {
    const listed = isListed(readState(), dead);
    // The restart (restart-instance.ts) routes the door away from the dead instance first.
    return listed ? options.reconcile(dead.app, signal) : Promise.resolve(undefined);
  };
  // Instances this agent's own tasks stopped (an idle stop, a deploy's old set): their exit is no news.
  const stoppedByAgent = new Map<string, number>();
  ctx.events.add({
    emit: (event) => {
      const instance = event.data?.instance;
      if (event.type === "instance.stopped" && typeof instance === "string")
        stoppedByAgent.set(instance, Date.now());
    },
  });
  const report = (dead: Instance): void => {
    noteInstanceExit(dead.id);
    ctx.events.child({ app: dead.app, release: dead.release }).emit({
      type: "instance.exited",
      message: `instance ${dead.id} of release ${dead.release} exited`,
      data: {
        instance: dead.id,
        ...(typeof dead.handle.pid === "number" ? { pid: dead.handle.pid } : {}),
      },
    });
  };
  // Exits seen while the app's worker was busy: its task may be the one that stopped the instance
  // (an idle stop, a deploy), so they are said once that task had its time to say it stopped them,
  // and healed once the worker is idle, if still recorded.
  const exits = new Map<string, PendingExit>();
  const takeExits = (): void => {
    const now = Date.now();
    // A stop whose exit the watch never saw (the instance was not watched then) is forgotten in time.
    for (const [id, at] of stoppedByAgent) if (now - at > STOPPED_KEPT_MS) stoppedByAgent.delete(id);
    if (exits.size === 0) return;
    // One read for every exit of this look, not one per exit.
    const state = readState();
    for (const [id, pending] of exits) {
      const { dead } = pending;
      if (stoppedByAgent.delete(id)) {
        exits.delete(id);
        continue;
      }
      const listed = isListed(state, dead);
      if (ctx.workers.busy(dead.app) !== undefined) {
        if (!pending.reported && listed && now - pending.seenAt >= BUSY_REPORT_AFTER_MS) {
          report(dead);
          pending.reported = true;
        }
        continue;
      }
      exits.delete(id);
      if (!listed) continue;
      if (!pending.reported) report(dead);
      // Idle worker: this runs now (no waiting task is replaced, no task in flight is superseded).
      void ctx.workers
        .submit(dead.app, { what: "restart", run: (signal) => heal(dead, signal) })
        .catch(() => undefined);
    }
  };
  const watching = watchInstances({
    signal: abort.signal,
    running: () => runningNow(readState()),
    onExit: (dead) => {
      exits.set(dead.id, { dead, seenAt: Date.now(), reported: false });
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
