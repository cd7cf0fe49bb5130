import { SkiffError } from "../errors/index.js";
import { addConfigEnv } from "./config-env.js";
import { redactUrl } from "./redact.js";
import { splitCredentials } from "./remote-auth.js";
import { git } from "./run-git.js";

export interface FetchMirrorOptions {
  /** The local repository that receives the objects. */
  repo: string;
  url: string;
  branch: string;
  /** The ref that only moves forward (e.g. refs/heads/main): a fetched tip that does not descend from it leaves it. */
  ref: string;
  /** Gets the fetched tip whatever it is (forced), to be judged when `ref` refused it. */
  incoming: string;
  /**
   * A partial fetch: blobs this filter leaves out (e.g. blob:limit=65536) stay on the server until
   * fetched by id (fetchObjects). git treats `url` as a promisor remote for this fetch only.
   */
  filter?: string;
  /** False: no `git maintenance run --auto` at the end (the caller tidies later). */
  autoMaintenance?: boolean;
  signal?: AbortSignal;
}

/** Over HTTP, a fetch that moves less than 1 KB/s for a minute has stalled (git's own limit is off). */
export const STALL_LIMIT: readonly (readonly [string, string])[] = [
  ["http.lowSpeedLimit", "1000"],
  ["http.lowSpeedTime", "60"],
];
export const LONGEST_FETCH_MS = 6 * 3600_000;

/**
 * "forward": `ref` is at the fetched tip (or was already); "diverged": only `incoming` is;
 * "absent": the remote has no such branch (an empty repository), nothing changed.
 */
export type FetchMirrorOutcome = "forward" | "diverged" | "absent";

/**
 * Fetches one branch into `ref` without force and into `incoming` with force, in one fetch: git's
 * own fast-forward check says whether the remote's history still contains the mirror's, for free.
 */
export async function fetchMirror(options: FetchMirrorOptions): Promise<FetchMirrorOutcome> {
  const remote = splitCredentials(options.url);
  // Protocol v0: over smart HTTP one ref advertisement and one upload-pack request, where v2 makes three.
  // Loose objects stored, not deflated: what a deployment repository holds is gzipped already.
  const args = ["-c", "protocol.version=0", "-c", "core.looseCompression=0"];
  let source = remote.url;
  let env = remote.env;
  if (options.filter !== undefined) {
    // A filter needs a promisor remote: a named one for this process only (in its environment), so
    // the mirror's own config has none and its readers never fetch lazily (a process per missing blob).
    env = addConfigEnv(remote.env, [
      ["remote.origin.url", remote.url],
      ["remote.origin.promisor", "true"],
      ["remote.origin.partialclonefilter", options.filter],
    ]);
    source = "origin";
  }
  args.push("fetch", "--no-tags");
  if (options.autoMaintenance === false) args.push("--no-auto-maintenance");
  const from = `refs/heads/${options.branch}`;
  args.push("--end-of-options", source, `${from}:${options.ref}`, `+${from}:${options.incoming}`);
  const result = await git(args, {
    cwd: options.repo,
    signal: options.signal,
    env: addConfigEnv(env, STALL_LIMIT),
    // A first fetch of a full mirror may carry gigabytes: a stall ends it, not its length.
    timeoutMs: LONGEST_FETCH_MS,
    allowFailure: true,
  });
  if (result.exitCode === 0) return "forward";
  // Not --quiet: the refused update is named on stderr ("! [rejected] … (non-fast-forward)").
  if (/\(non-fast-forward\)/.test(result.stderr)) return "diverged";
  // Asked for as git says it (LC_ALL=C): no ls-remote before or after the fetch to tell.
  if (/couldn't find remote ref/.test(result.stderr)) return "absent";
  const stderr = redactUrl(result.stderr.trim()).split("\n").slice(-4).join("\n");
  throw new SkiffError(
    "ERR_SKIFF_GIT",
    `git fetch ${redactUrl(remote.url)} failed: ${stderr || `exit ${result.exitCode}`}`,
    {
      hint: "check that the repository exists and that you may read it",
      data: { exitCode: result.exitCode },
    },
  );
}
