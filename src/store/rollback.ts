import { SkiffError } from "../errors/index.js";
import { pointerRelease, type AppState } from "./app-state.js";
import { isCollected } from "./release-images.js";
import { setPointer, type PointerChange } from "./set-pointer.js";
import type { ReleaseSigner } from "./types.js";

export interface RollbackOptions {
  repo: string;
  app: string;
  /** The release to go back to; default: the highest existing release below the current one. */
  to?: number;
  /** Sign the new current record (anti-rollback: a rollback is a new record with a higher sequence). */
  sign?: ReleaseSigner;
  /** When the signed record expires (ISO date-time). */
  expires?: string;
  signal?: AbortSignal;
}

/** Commits `current` back to an earlier release; every agent following the repository follows it. */
export async function rollback(options: RollbackOptions): Promise<PointerChange> {
  return setPointer({
    repo: options.repo,
    app: options.app,
    pointer: "current",
    signal: options.signal,
    sign: options.sign,
    ...(options.expires ? { expires: options.expires } : {}),
    release: (state) => options.to ?? chooseRollbackTarget(state),
    message: (from, to) =>
      `${options.app}: rollback to release ${to}${from === undefined ? "" : ` (from ${from})`}`,
  });
}

/** The highest existing release below the current one that still has its images (pure). */
export function chooseRollbackTarget(state: AppState): number {
  const current = pointerRelease(state.currentText);
  const earlier = state.releases.filter(
    (release) =>
      (current === undefined || release < current) && !isCollected(state.entries, state.app, release),
  );
  const target = earlier.at(-1);
  if (target === undefined || current === undefined) {
    throw new SkiffError(
      "ERR_SKIFF_NOTHING_TO_ROLL_BACK",
      `${state.app} has no release before ${current ?? "its current one"}`,
      {
        hint: `list the releases with skiff releases ${state.app} --repo R, and pass --to N to pick one`,
      },
    );
  }
  return target;
}
