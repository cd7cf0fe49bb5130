import { SkiffError } from "../../errors/index.js";
import type { AppState } from "./state-schema.js";
import { readState } from "./read-state.js";

/** True when `skiff stop` was run for the app after `since` (an older stop is lifted by the new pointer). */
export function isStoppedSince(appState: AppState | undefined, since: string): boolean {
  return appState?.stopped !== undefined && appState.stopped.at >= since;
}

/** Reads state (no lock): has the app been stopped by hand since `since`? */
export function wasStoppedSince(data: string, app: string, since: string): boolean {
  return isStoppedSince(readState(data).apps[app], since);
}

export function stoppedError(app: string): SkiffError {
  return new SkiffError("ERR_SKIFF_APP_STOPPED", `${app} was stopped with skiff stop during the deploy`, {
    hint: `skiff start ${app} lets the agent deploy current again`,
  });
}

export function isStopError(error: unknown): boolean {
  return error instanceof SkiffError && error.code === "ERR_SKIFF_APP_STOPPED";
}
