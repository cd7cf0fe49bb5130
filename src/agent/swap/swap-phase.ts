import { setTimeout as sleep } from "node:timers/promises";
import type { Instance } from "../../drivers/index.js";
import {
  asRecord,
  isStoppedSince,
  keepRecords,
  stoppedError,
  updateAppState,
  wasStoppedSince,
  type InstanceReason,
  type SwapPhase,
} from "../state/index.js";

/** Test-only: the agent stops still right after persisting this phase, so a test can SIGKILL it there. */
const PAUSE_ENV = "SKIFF_TEST_PAUSE_AT";

export interface SwapIdentity {
  data: string;
  app: string;
  deploy: string;
  strategy: string;
  release: number;
  /** When the deploy started: a `skiff stop` made after this wins over it. */
  startedAt: string;
  /** Why the new instances start: a deploy, or a restart (of a dead instance, or by hand). */
  reason: InstanceReason;
}

/** The two sets of a swap: the instances that served before, and those replacing them. */
export interface SwapSets {
  old: readonly Instance[];
  next: readonly Instance[];
}

/** Reads state (no lock): has the app been stopped by hand since the deploy started? */
export function wasStopped(id: SwapIdentity): boolean {
  return wasStoppedSince(id.data, id.app, id.startedAt);
}

/**
 * Persists the phase and both sets before the step runs. Throws ERR_SKIFF_APP_STOPPED when
 * `skiff stop` came first: under the state lock, so either stop sees the instances or we see the stop.
 */
export async function recordSwapPhase(id: SwapIdentity, phase: SwapPhase, sets: SwapSets): Promise<void> {
  await updateAppState(id.data, id.app, (app) => {
    if (isStoppedSince(app, id.startedAt)) throw stoppedError(id.app);
    app.swap = {
      deploy: id.deploy,
      strategy: id.strategy,
      release: id.release,
      phase,
      // The old set keeps the reasons it was started for; the new one is this swap's.
      old: keepRecords(app, sets.old, "deploy"),
      next: keepRecords(app, sets.next, id.reason),
      at: new Date().toISOString(),
    };
  });
  if (process.env[PAUSE_ENV] === phase) {
    // Parks here until killed: the test's stand-in for an agent that dies at this step.
    for (;;) await sleep(60_000);
  }
}

/** Adds a new instance to the swap as soon as the driver has started it (never one unrecorded). */
export async function recordSwapNext(id: SwapIdentity, next: Instance): Promise<void> {
  const record = asRecord(next, id.reason);
  const stopped = await updateAppState(id.data, id.app, (app) => {
    if (app.swap?.deploy === id.deploy)
      app.swap.next = [...app.swap.next.filter((i) => i.id !== next.id), record];
    else
      app.swap = {
        deploy: id.deploy,
        strategy: id.strategy,
        release: id.release,
        phase: "starting",
        old: [],
        next: [record],
        at: new Date().toISOString(),
      };
    return isStoppedSince(app, id.startedAt);
  });
  if (stopped) throw stoppedError(id.app);
}
