import { SkiffError } from "../errors/index.js";
import { normalizeLocation, redactUrl } from "../git/index.js";
import { pointerRelease, readAppState, readSmallFile, type AppState } from "./app-state.js";
import { commitWithRetry, type CommitPlan } from "./commit-with-retry.js";
import { MANIFEST_MAX_BYTES, manifestPath } from "./layout.js";
import { pointerChanges } from "./pointer-changes.js";
import { isCollected, releaseCollectedError } from "./release-images.js";
import type { PointerName, ReleaseSigner } from "./types.js";
import { withWorkspace, type Workspace } from "./workspace.js";

export interface PointerChange {
  app: string;
  pointer: PointerName;
  /** The release the pointer named before (undefined: none or invalid). */
  from: number | undefined;
  to: number;
  sequence: number;
  /** The commit on main after the change ("" when nothing changed and the repository is empty). */
  commit: string;
  changed: boolean;
}

export interface SetPointerOptions {
  repo: string;
  app: string;
  pointer: PointerName;
  /** The release to point at, or a function choosing it from the app's state at the tip (it may throw). */
  release: number | ((state: AppState) => number);
  /** Commit message; the default names app, pointer and release. */
  message?: string | ((from: number | undefined, to: number) => string);
  /** Write a signed pointer record (<app>/<pointer>.json) too; without it a stale record is removed. */
  sign?: ReleaseSigner;
  /** When the signed pointer record expires (ISO date-time). */
  expires?: string;
  signal?: AbortSignal;
  attempts?: number;
}

/**
 * Points `current` or `staging` of an app at an existing release, in one commit that also raises
 * the app's sequence, with the same fetch, retry and push discipline as storeRelease.
 */
export async function setPointer(options: SetPointerOptions): Promise<PointerChange> {
  const repo = normalizeLocation(options.repo);
  return withWorkspace(repo, options.signal, async (workspace) => {
    const outcome = await commitWithRetry({
      workspace,
      attempts: options.attempts,
      plan: (tip) => planPointer(workspace, tip, options),
    });
    return { ...outcome.result, commit: outcome.commit ?? "" };
  });
}

async function planPointer(
  workspace: Workspace,
  tip: string | undefined,
  options: SetPointerOptions,
): Promise<CommitPlan<Omit<PointerChange, "commit">>> {
  const { app, pointer } = options;
  const state = await readAppState(workspace.dir, tip, app);
  if (state.releases.length === 0) {
    throw new SkiffError("ERR_SKIFF_NO_SUCH_APP", `${redactUrl(workspace.url)} has no releases of ${app}`, {
      hint: `run skiff releases ${app} --repo ${redactUrl(workspace.url)} to check, or skiff store a release first`,
    });
  }
  const release = typeof options.release === "function" ? options.release(state) : options.release;
  if (!state.releases.includes(release)) {
    throw new SkiffError("ERR_SKIFF_NO_SUCH_RELEASE", `${app} has no release ${release}`, {
      hint: `pick one of: ${state.releases.join(", ")} (skiff releases ${app} --repo ${redactUrl(workspace.url)})`,
      data: { releases: state.releases },
    });
  }
  if (isCollected(state.entries, app, release)) throw releaseCollectedError(app, release);
  const from = pointerRelease(pointer === "current" ? state.currentText : state.stagingText);
  if (from === release) {
    return {
      changes: [],
      message: "",
      result: { app, pointer, from, to: release, sequence: state.sequence, changed: false },
    };
  }
  const sequence = state.sequence + 1;
  const manifestText = options.sign
    ? await readSmallFile({
        repo: workspace.dir,
        rev: tip!,
        entries: state.entries,
        path: manifestPath(app, release),
        maxBytes: MANIFEST_MAX_BYTES,
      })
    : undefined;
  const changes = await pointerChanges({
    state,
    pointer,
    release,
    sequence,
    manifestText,
    sign: options.sign,
    expires: options.expires,
    now: new Date(),
  });
  const message =
    typeof options.message === "function"
      ? options.message(from, release)
      : (options.message ??
        `${app}: ${pointer} → release ${release}${from === undefined ? "" : ` (was ${from})`}`);
  return { changes, message, result: { app, pointer, from, to: release, sequence, changed: true } };
}
