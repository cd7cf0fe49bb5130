import type { FetchBranchOptions } from "./remote.js";
import { splitCredentials } from "./remote-auth.js";
import { git } from "./run-git.js";

/**
 * fetchBranch without the rev-parse after it: for a caller that reads the fetched ref through a
 * session of its own (the agent's cat-file batch), one process fewer per fetch.
 */
export async function fetchRef(options: FetchBranchOptions): Promise<void> {
  // Protocol v0: over smart HTTP one ref advertisement and one upload-pack request, where v2 makes three.
  const args = ["-c", "protocol.version=0", "fetch", "--quiet", "--no-tags"];
  if (options.depth !== undefined) args.push(`--depth=${options.depth}`);
  const remote = splitCredentials(options.url);
  // Forced (+): the remote may have been rewound; anti-rollback is the agent's job, not git's.
  args.push("--end-of-options", remote.url, `+refs/heads/${options.branch}:${options.ref}`);
  await git(args, { cwd: options.repo, signal: options.signal, env: remote.env });
}
