import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { SkiffError, classifyProgramFault } from "../errors/index.js";
import {
  borrowObjects,
  fetchBranchIfExists,
  forceRef,
  initBare,
  inspectLocalRepository,
  isRemoteUrl,
  redactUrl,
  type LocalRepository,
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
  /** False: git's automatic maintenance is left to the caller (see FetchBranchOptions). */
  autoMaintenance?: boolean;
}

/** Fetches the deployment repository's main into the mirror; returns its commit, or undefined while main does not exist. */
export async function syncMirror(options: SyncMirrorOptions): Promise<string | undefined> {
  if (!existsSync(options.mirror)) {
    await mkdir(dirname(options.mirror), { recursive: true });
    await initBare(options.mirror);
  }
  const branch = options.branch ?? BRANCH;
  const local = isRemoteUrl(options.url)
    ? undefined
    : await inspectLocalRepository(resolve(options.url), `refs/heads/${branch}`);
  if (local) return followLocalRepository(options, local);
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
      ...(options.autoMaintenance === false ? { autoMaintenance: false } : {}),
    });
  } catch (error) {
    // A full disk (or no open files) on this host is the host's fault, not the repository's or the URL's.
    const host = classifyProgramFault(error, {
      path: options.mirror,
      action: "fetching the deployment repository",
    });
    if (host !== undefined) throw host;
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
 * place (git alternates), so following it needs no fetch: its branch is copied into the mirror's
 * main (forced, like the fetch's +). The alternates file is rewritten whenever it names another
 * repository (an agent given another --repo, a copied data dir). Undefined while it has no branch.
 */
async function followLocalRepository(
  options: SyncMirrorOptions,
  local: LocalRepository,
): Promise<string | undefined> {
  const alternates = await readFile(join(options.mirror, "objects", "info", "alternates"), "utf8").catch(
    () => undefined,
  );
  if (alternates !== `${local.objects}\n`) await borrowObjects(options.mirror, [local.objects]);
  if (local.ref === undefined) return undefined;
  const ref = `refs/heads/${BRANCH}`;
  await forceRef(options.mirror, ref, local.ref);
  // The caller's session sees the new ref and objects the same way it would after a fetch.
  return options.readRef ? ((await options.readRef(ref)) ?? local.ref) : local.ref;
}
