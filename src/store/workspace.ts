import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SkiffError } from "../errors/index.js";
import {
  borrowObjects,
  fetchBranchIfExists,
  initBare,
  inspectLocalRepository,
  isRemoteUrl,
  readRef,
  redactUrl,
} from "../git/index.js";

export const BRANCH = "main";
const TIP_REF = "refs/remotes/deploy/main";

/**
 * Where a change to one deployment repository is read and written: a local bare repository itself
 * (`inPlace`), or a private bare repository that fetches from it and pushes new commits to it.
 */
export interface Workspace {
  /** The repository git reads the tip's objects from. */
  dir: string;
  url: string;
  signal?: AbortSignal;
  /** A local repository whose objects the workspace reads in place: its tip needs no fetch. */
  borrowed?: boolean;
  /** A local bare deployment repository written directly (quarantined objects, atomic ref update); no push. */
  inPlace?: { objects: string };
  /** main as read with the repository itself: the first fetchTip needs no git process. */
  firstTip?: { value: string | undefined };
}

/** Runs `fn` with the workspace for `url`: the repository itself when local and bare, else a temp one. */
export async function withWorkspace<T>(
  url: string,
  signal: AbortSignal | undefined,
  fn: (workspace: Workspace) => Promise<T>,
): Promise<T> {
  const local = isRemoteUrl(url) ? undefined : await inspectLocalRepository(url, `refs/heads/${BRANCH}`);
  // No workspace and no push: its hooks do not run (docs/deployment-repository.md); a URL pushes.
  if (local?.bare) {
    const inPlace = { objects: local.objects };
    return fn({ dir: url, url, signal, borrowed: true, inPlace, firstTip: { value: local.ref } });
  }
  const dir = await mkdtemp(join(tmpdir(), "skiff-store-"));
  try {
    await initBare(dir);
    // A local repository lends its objects: no copy of the tip's tree, however many releases it holds.
    if (local !== undefined) await borrowObjects(dir, [local.objects]);
    return await fn({ dir, url, signal, ...(local === undefined ? {} : { borrowed: true }) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The tip of main (fetching only its last commit from a remote); undefined for an empty repository. */
export async function fetchTip(workspace: Workspace): Promise<string | undefined> {
  const first = workspace.firstTip;
  if (first) {
    delete workspace.firstTip;
    return first.value;
  }
  try {
    if (workspace.borrowed) return await readRef(workspace.url, `refs/heads/${BRANCH}`);
    return await fetchBranchIfExists({
      // A deployment repository is empty only before its first store.
      likelyExists: true,
      repo: workspace.dir,
      url: workspace.url,
      branch: BRANCH,
      ref: TIP_REF,
      depth: 1,
      signal: workspace.signal,
    });
  } catch (error) {
    throw new SkiffError(
      "ERR_SKIFF_STORE_FAILED",
      `cannot read the deployment repository ${redactUrl(workspace.url)}`,
      {
        hint: "check the path or URL and your access to it; a local path that does not exist yet is created by skiff store",
        cause: error,
        data: { detail: error instanceof Error ? error.message : String(error) },
      },
    );
  }
}
