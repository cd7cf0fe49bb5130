import { setPointer, type PointerChange } from "../store/index.js";

export interface RestoreCurrentOptions {
  deployRepo: string;
  app: string;
  /** The release the push stored and that failed to deploy. */
  failed: number;
  /** The release the embedded agent still serves. */
  serving: number;
  signal?: AbortSignal;
}

/**
 * After a failed deploy, points current back at the release that serves, so the deployment
 * repository never names a release no host runs; leaves current alone if someone moved it since.
 */
export async function restoreCurrent(options: RestoreCurrentOptions): Promise<PointerChange> {
  return setPointer({
    repo: options.deployRepo,
    app: options.app,
    pointer: "current",
    signal: options.signal,
    // A rollback or newer store since the push: whatever current names now stays.
    release: (state) =>
      Number(state.currentText?.trim()) === options.failed
        ? options.serving
        : Number(state.currentText?.trim()),
    message: (from, to) => `${options.app}: current back to release ${to} (release ${from} failed to deploy)`,
  });
}
