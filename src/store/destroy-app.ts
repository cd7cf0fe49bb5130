import { SkiffError } from "../errors/index.js";
import { normalizeLocation, redactUrl } from "../git/index.js";
import { pointerRelease, readAppState, tombstoneRelease, type AppState } from "./app-state.js";
import { commitWithRetry, type CommitPlan } from "./commit-with-retry.js";
import { pointerPath, releasesDir, tombstonePath } from "./layout.js";
import type { StoreChange } from "./new-blobs.js";
import { withWorkspace } from "./workspace.js";

export interface DestroyAppOptions {
  repo: string;
  app: string;
  /** Remove the app's release folders too (the sequence file stays: numbers are never reused). */
  purge?: boolean;
  signal?: AbortSignal;
  now?: Date;
}

export interface DestroyAppResult {
  app: string;
  /** The release current named before (undefined: none). */
  current: number | undefined;
  /** Release folders removed (purge). */
  removed: number[];
  /** The commit on main with the tombstone ("" when nothing changed). */
  commit: string;
  changed: boolean;
}

/**
 * `skiff apps:destroy`: one commit that removes the app's pointers (and, with purge, its releases)
 * and writes `<app>/destroyed`, the tombstone every agent that follows the repository acts on by
 * stopping the app. An app merely missing from the repository keeps running (that could be a
 * mistake); the tombstone says it on purpose. A later store or pointer change removes it.
 */
export async function destroyApp(options: DestroyAppOptions): Promise<DestroyAppResult> {
  const url = normalizeLocation(options.repo);
  return withWorkspace(url, options.signal, async (workspace) => {
    const outcome = await commitWithRetry({
      workspace,
      plan: async (tip) => planDestroy(await readAppState(workspace.dir, tip, options.app), options, url),
    });
    return { ...outcome.result, commit: outcome.commit ?? "" };
  });
}

/** The changes of a destroy at one tip (pure, given the app's state). */
export function planDestroy(
  state: AppState,
  options: Pick<DestroyAppOptions, "app" | "purge" | "now">,
  url = "the deployment repository",
): CommitPlan<Omit<DestroyAppResult, "commit">> {
  const { app } = options;
  if (state.entries.length === 0) {
    throw new SkiffError("ERR_SKIFF_NO_SUCH_APP", `${redactUrl(url)} has no app ${app}`, {
      hint: "see the apps with skiff apps",
    });
  }
  const tombstone = tombstonePath(app);
  const destroyed = state.entries.some((entry) => entry.path === tombstone);
  const kept = new Set([pointerPath(app, "sequence"), tombstone]);
  const prefix = `${releasesDir(app)}/`;
  const removals: StoreChange[] = state.entries
    .filter((entry) => !kept.has(entry.path) && (options.purge === true || !entry.path.startsWith(prefix)))
    .map((entry) => ({ path: entry.path, remove: true as const }));
  const removed = options.purge ? state.releases : [];
  const result = {
    app,
    current: pointerRelease(state.currentText),
    removed,
    changed: removals.length > 0 || !destroyed,
  };
  if (!result.changed) return { changes: [], message: "", result };
  const lastRelease = Math.max(
    tombstoneRelease(state.tombstoneText),
    pointerRelease(state.currentText) ?? 0,
    pointerRelease(state.stagingText) ?? 0,
    ...state.releases,
  );
  const record = {
    destroyed: (options.now ?? new Date()).toISOString(),
    purged: options.purge === true,
    // Release numbers are never reused, even once the folders that held them are gone.
    lastRelease,
  };
  return {
    changes: [...removals, { path: tombstone, text: `${JSON.stringify(record)}\n`, mode: "100644" as const }],
    message: `${app}: destroyed${options.purge ? `, releases ${removed.join(", ") || "none"} removed` : ""}`,
    result,
  };
}
