import { splitCredentials } from "./remote-auth.js";
import { git } from "./run-git.js";

/** The commit `refs/heads/<branch>` points at on a remote, or undefined when the branch does not exist yet. */
export async function remoteBranchHead(
  url: string,
  branch: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  // --end-of-options: a location that starts with "-" is never read as an option.
  const remote = splitCredentials(url);
  const out = await git(["ls-remote", "--end-of-options", remote.url, `refs/heads/${branch}`], {
    signal,
    env: remote.env,
  });
  const line = out.stdout.split("\n").find((l) => l.endsWith(`\trefs/heads/${branch}`));
  return line?.split("\t")[0];
}

export interface FetchBranchOptions {
  /** The local repository that receives the objects. */
  repo: string;
  url: string;
  branch: string;
  /** The local ref to (force-)update, e.g. refs/heads/main. */
  ref: string;
  /** Fetch only the last `depth` commits (enough to build the next commit on top). */
  depth?: number;
  /**
   * False: the fetch returns without running `git maintenance run --auto`, for a caller that runs
   * it later, off the path a deploy waits on (the agent, once idle: tidyRepository).
   */
  autoMaintenance?: boolean;
  signal?: AbortSignal;
}

/**
 * The fetch of fetchBranch without the rev-parse after it: for a caller that reads the fetched ref
 * through a session of its own (the agent's cat-file batch), one process fewer per fetch.
 */
export async function fetchRef(options: FetchBranchOptions): Promise<void> {
  // Protocol v0: over smart HTTP one ref advertisement and one upload-pack request, where v2 makes three.
  // Loose objects stored, not deflated: what a deployment repository holds is gzipped already.
  const args = ["-c", "protocol.version=0", "-c", "core.looseCompression=0", "fetch", "--quiet", "--no-tags"];
  if (options.depth !== undefined) args.push(`--depth=${options.depth}`);
  if (options.autoMaintenance === false) args.push("--no-auto-maintenance");
  const remote = splitCredentials(options.url);
  // Forced (+): the remote may have been rewound; anti-rollback is the agent's job, not git's.
  args.push("--end-of-options", remote.url, `+refs/heads/${options.branch}:${options.ref}`);
  await git(args, { cwd: options.repo, signal: options.signal, env: remote.env });
}

/**
 * `git maintenance run --auto`: packs and prunes when git's thresholds say so, else returns at once.
 * `config`: settings for this run (a partial mirror names its promisor remote, see fetchMirror).
 */
export async function tidyRepository(repo: string, config: readonly string[] = []): Promise<void> {
  const settings = config.flatMap((setting) => ["-c", setting]);
  await git([...settings, "maintenance", "run", "--auto", "--quiet"], { cwd: repo });
}

/** Fetches one branch into `ref` (forced: the remote may have been rewound) and returns the fetched commit. */
export async function fetchBranch(options: FetchBranchOptions): Promise<string> {
  await fetchRef(options);
  return (
    await git(["rev-parse", "--verify", `${options.ref}^{commit}`], { cwd: options.repo })
  ).stdout.trim();
}

export type PushOutcome =
  | { status: "pushed" }
  /** Someone else moved the branch first (or holds its lock): fetch and try again. */
  | { status: "conflict"; detail: string }
  /** Refused for another reason (hook, permissions, checked-out branch): retrying won't help. */
  | { status: "refused"; detail: string };

const CONFLICT =
  /fetch first|non-fast-forward|failed to update ref|cannot lock ref|incorrect old value|stale info/i;

/** Pushes `commit` to `refs/heads/<branch>` without force; a non-fast-forward is reported, not thrown. */
export async function pushCommit(options: {
  repo: string;
  url: string;
  commit: string;
  branch: string;
  signal?: AbortSignal;
}): Promise<PushOutcome> {
  const remote = splitCredentials(options.url);
  // --porcelain: one machine-readable status line per ref instead of prose.
  const result = await git(
    ["push", "--porcelain", "--end-of-options", remote.url, `${options.commit}:refs/heads/${options.branch}`],
    { cwd: options.repo, signal: options.signal, allowFailure: true, env: remote.env },
  );
  if (result.exitCode === 0) return { status: "pushed" };
  const detail = `${result.stdout}\n${result.stderr}`.trim();
  return CONFLICT.test(detail) ? { status: "conflict", detail } : { status: "refused", detail };
}
