import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { SkiffError } from "../errors/index.js";
import {
  borrowObjects,
  fetchBranchIfExists,
  initBare,
  inspectLocalRepository,
  isRemoteUrl,
  redactUrl,
} from "../git/index.js";
import { BRANCH } from "./workspace.js";

export interface SyncMirrorOptions {
  /** The deployment repository: a local path or git URL. */
  url: string;
  /** A local bare repository that keeps a copy (created on first use). */
  mirror: string;
  signal?: AbortSignal;
  /** The remote branch to follow (default main; a 2015 repository used master). The mirror keeps it as main. */
  branch?: string;
  /** Reads the fetched ref through the caller's cat-file session instead of a rev-parse. */
  readRef?: (ref: string) => Promise<string | undefined>;
}

/** Fetches the deployment repository's main into the mirror; returns its commit, or undefined while main does not exist. */
export async function syncMirror(options: SyncMirrorOptions): Promise<string | undefined> {
  if (!existsSync(options.mirror)) {
    await mkdir(dirname(options.mirror), { recursive: true });
    await initBare(options.mirror);
  }
  await borrowLocalObjects(options);
  try {
    const branch = options.branch ?? BRANCH;
    // Forced into refs/heads/main: the mirror follows the remote even if it was rewound (anti-rollback is the agent's job).
    return await fetchBranchIfExists({
      // A loose ref says an earlier fetch found the branch (packed refs only cost the old order).
      likelyExists: existsSync(join(options.mirror, "refs", "heads", BRANCH)),
      repo: options.mirror,
      url: options.url,
      branch,
      ref: `refs/heads/${BRANCH}`,
      signal: options.signal,
      ...(options.readRef ? { readRef: options.readRef } : {}),
    });
  } catch (error) {
    throw new SkiffError(
      "ERR_SKIFF_GIT",
      `cannot fetch the deployment repository ${redactUrl(options.url)}`,
      {
        hint: "check the --repo path or URL and that this host may read it",
        cause: error,
        data: { detail: error instanceof Error ? redactUrl(error.message) : String(error) },
      },
    );
  }
}

/**
 * A mirror of a local deployment repository (the server's embedded agent) reads its objects in
 * place (git alternates): a fetch then moves only the ref, instead of packing and indexing the new
 * release's blobs again. Checked once: the alternates file says it is done.
 */
async function borrowLocalObjects(options: SyncMirrorOptions): Promise<void> {
  if (isRemoteUrl(options.url) || existsSync(join(options.mirror, "objects", "info", "alternates"))) return;
  const local = await inspectLocalRepository(options.url);
  if (local) await borrowObjects(options.mirror, [local.objects]);
}
