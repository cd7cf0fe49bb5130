import { setTimeout as sleep } from "node:timers/promises";
import type { Instance } from "../drivers/index.js";
import { SkiffError } from "../errors/index.js";
import { readState, updateAppState } from "./state.js";
import type { AppState, SwapPhase } from "./state-schema.js";

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
}

/** True when `skiff stop` was run for the app after `since` (an older stop is lifted by the new pointer). */
export function isStoppedSince(appState: AppState | undefined, since: string): boolean {
  return appState?.stopped !== undefined && appState.stopped.at >= since;
}

export function stoppedError(app: string): SkiffError {
  return new SkiffError("ERR_SKIFF_APP_STOPPED", `${app} was stopped with skiff stop during the deploy`, {
    hint: `skiff start ${app} lets the agent deploy current again`,
  });
}

export function isStopError(error: unknown): boolean {
  return error instanceof SkiffError && error.code === "ERR_SKIFF_APP_STOPPED";
}

/** Reads state (no lock): has the app been stopped by hand since the deploy started? */
export function wasStopped(id: SwapIdentity): boolean {
  return isStoppedSince(readState(id.data).apps[id.app], id.startedAt);
}

/**
 * Persists the phase and both instances before the step runs. Throws ERR_SKIFF_APP_STOPPED when
 * `skiff stop` came first: under the state lock, so either stop sees the instances or we see the stop.
 */
export async function recordSwapPhase(
  id: SwapIdentity,
  phase: SwapPhase,
  instances: { old?: Instance; next?: Instance },
): Promise<void> {
  await updateAppState(id.data, id.app, (app) => {
    if (isStoppedSince(app, id.startedAt)) throw stoppedError(id.app);
    app.swap = {
      deploy: id.deploy,
      strategy: id.strategy,
      release: id.release,
      phase,
      ...(instances.old === undefined ? {} : { old: instances.old }),
      ...(instances.next === undefined ? {} : { next: instances.next }),
      at: new Date().toISOString(),
    };
  });
  if (process.env[PAUSE_ENV] === phase) {
    // Parks here until killed: the test's stand-in for an agent that dies at this step.
    for (;;) await sleep(60_000);
  }
}

/** Records the new instance in the swap as soon as the driver has started it (never two unrecorded). */
export async function recordSwapNext(id: SwapIdentity, next: Instance): Promise<void> {
  const stopped = await updateAppState(id.data, id.app, (app) => {
    if (app.swap?.deploy === id.deploy) app.swap.next = next;
    else
      app.swap = {
        deploy: id.deploy,
        strategy: id.strategy,
        release: id.release,
        phase: "starting",
        next,
        at: new Date().toISOString(),
      };
    return isStoppedSince(app, id.startedAt);
  });
  if (stopped) throw stoppedError(id.app);
}
