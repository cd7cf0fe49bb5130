import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { SkiffError } from "../errors/index.js";
import {
  borrowObjects,
  fetchBranchIfExists,
  forceRef,
  initBare,
  inspectLocalRepository,
  isRemoteUrl,
  redactUrl,
} from "../git/index.js";
import { BRANCH } from "./workspace.js";

/** In the mirror's objects/info: the local repository whose objects it borrows. */
const BORROWED_FROM = "skiff-borrowed-from";

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
  const branch = options.branch ?? BRANCH;
  if (await borrowLocalObjects(options)) return followLocalBranch(options, branch);
  try {
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
 * place (git alternates), so following it needs no fetch at all: only its ref is copied. Done once
 * per source: a marker names the repository the alternates point at (an agent given another
 * --repo, or a copied data dir, borrows again). True when the mirror borrows.
 */
async function borrowLocalObjects(options: SyncMirrorOptions): Promise<boolean> {
  if (isRemoteUrl(options.url)) return false;
  const source = resolve(options.url);
  const marker = join(options.mirror, "objects", "info", BORROWED_FROM);
  if ((await readFile(marker, "utf8").catch(() => undefined)) === source) return true;
  const local = await inspectLocalRepository(source);
  if (!local) return false;
  await borrowObjects(options.mirror, [local.objects]);
  await writeFile(marker, source);
  return true;
}

/** The source's branch, copied into the mirror's main (forced, like the fetch's +); undefined while it has none. */
async function followLocalBranch(options: SyncMirrorOptions, branch: string): Promise<string | undefined> {
  const local = await inspectLocalRepository(options.url, `refs/heads/${branch}`);
  if (!local) {
    throw new SkiffError("ERR_SKIFF_GIT", `the deployment repository ${options.url} is gone`, {
      hint: "check the --repo path: it must stay a git repository while agents follow it",
    });
  }
  if (local.ref === undefined) return undefined;
  const ref = `refs/heads/${BRANCH}`;
  await forceRef(options.mirror, ref, local.ref);
  // The caller's session sees the new ref and objects the same way it would after a fetch.
  return options.readRef ? ((await options.readRef(ref)) ?? local.ref) : local.ref;
}
