import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SkiffError } from "../errors/index.js";
import { fetchBranch, initBare, redactUrl, remoteBranchHead } from "../git/index.js";

export const BRANCH = "main";
const TIP_REF = "refs/remotes/deploy/main";

/** A private bare repository that talks to one deployment repository; nothing in it is ever pushed but new commits. */
export interface Workspace {
  dir: string;
  url: string;
  signal?: AbortSignal;
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
    return await fn({ dir, url, signal });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Fetches the tip of main (only its last commit: enough to commit on top); undefined for an empty repository. */
export async function fetchTip(workspace: Workspace): Promise<string | undefined> {
  try {
    const head = await remoteBranchHead(workspace.url, BRANCH, workspace.signal);
    if (head === undefined) return undefined;
    return await fetchBranch({
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
