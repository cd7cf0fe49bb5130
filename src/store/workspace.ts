import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SkiffError } from "../errors/index.js";
import {
  borrowObjects,
  fetchBranchIfExists,
  initBare,
  isRemoteUrl,
  objectDirectory,
  readRef,
  redactUrl,
} from "../git/index.js";

export const BRANCH = "main";
const TIP_REF = "refs/remotes/deploy/main";

/** A private bare repository that talks to one deployment repository; nothing in it is ever pushed but new commits. */
export interface Workspace {
  dir: string;
  url: string;
  signal?: AbortSignal;
  /** A local deployment repository whose objects the workspace reads in place: its tip needs no fetch. */
  borrowed?: boolean;
}

/** Runs `fn` with a fresh temp workspace for `url` and removes it afterwards. */
export async function withWorkspace<T>(
  url: string,
  signal: AbortSignal | undefined,
  fn: (workspace: Workspace) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "skiff-store-"));
  try {
    await initBare(dir);
    // A local repository lends its objects: no copy of the tip's tree, however many releases it holds.
    const objects = isRemoteUrl(url) ? undefined : await objectDirectory(url);
    if (objects !== undefined) await borrowObjects(dir, [objects]);
    return await fn({ dir, url, signal, ...(objects === undefined ? {} : { borrowed: true }) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The tip of main (fetching only its last commit from a remote); undefined for an empty repository. */
export async function fetchTip(workspace: Workspace): Promise<string | undefined> {
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
