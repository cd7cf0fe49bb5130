import { addConfigEnv } from "./config-env.js";
import { LONGEST_FETCH_MS, STALL_LIMIT } from "./fetch-mirror.js";
import { splitCredentials } from "./remote-auth.js";
import { git } from "./run-git.js";

export interface FetchObjectsOptions {
  /** The local repository that receives them (a partial mirror). */
  repo: string;
  url: string;
  /** Object ids (blobs the mirror was not sent). */
  objects: readonly string[];
  signal?: AbortSignal;
}

/** Fetches the named objects from `url` into `repo` in one request (what git's lazy fetch does one object at a time). */
export async function fetchObjects(options: FetchObjectsOptions): Promise<void> {
  if (options.objects.length === 0) return;
  const remote = splitCredentials(options.url);
  await git(
    [
      // Protocol v2: a want may name any object; v0 only the advertised tips.
      "-c",
      "protocol.version=2",
      // Blobs have no history to negotiate.
      "-c",
      "fetch.negotiationAlgorithm=noop",
      // Images are gzip already: stored loose objects, not deflated again.
      "-c",
      "core.looseCompression=0",
      "fetch",
      "--quiet",
      "--no-tags",
      "--no-write-fetch-head",
      "--no-auto-maintenance",
      "--recurse-submodules=no",
      // The ids come on stdin, one a line: no argv limit however many there are.
      "--stdin",
      "origin",
    ],
    {
      cwd: options.repo,
      input: options.objects.join("\n") + "\n",
      // A named remote for this one process; the mirror's config names none (see fetchMirror).
      env: addConfigEnv(remote.env, [
        ["remote.origin.url", remote.url],
        ["remote.origin.promisor", "true"],
        ...STALL_LIMIT,
      ]),
      // A VM image may be large: a stall ends the fetch, not its length.
      timeoutMs: LONGEST_FETCH_MS,
      signal: options.signal,
    },
  );
}
