import { fetchBranch, fetchRef, remoteBranchHead, type FetchBranchOptions } from "./remote.js";

export interface FetchIfExistsOptions extends FetchBranchOptions {
  /** The branch existed last time: fetch first (one round trip); else ask first (an empty repository stays cheap). */
  likelyExists: boolean;
  /** Reads the fetched ref's commit (a cat-file session of the caller's) instead of a rev-parse. */
  readRef?: (ref: string) => Promise<string | undefined>;
}

async function fetchAndRead(options: FetchIfExistsOptions): Promise<string> {
  const { readRef } = options;
  if (readRef === undefined) return fetchBranch(options);
  await fetchRef(options);
  const commit = await readRef(options.ref);
  if (commit === undefined) throw new Error(`${options.ref} names no commit after the fetch`);
  return commit;
}

/** fetchBranch, or undefined when the branch does not exist on the remote (yet). */
export async function fetchBranchIfExists(options: FetchIfExistsOptions): Promise<string | undefined> {
  if (!options.likelyExists) {
    if ((await remoteBranchHead(options.url, options.branch, options.signal)) === undefined) return undefined;
    return fetchAndRead(options);
  }
  try {
    return await fetchAndRead(options);
  } catch (error) {
    // Only a failed fetch asks why: a branch that is gone is an empty repository again, not an error.
    if ((await remoteBranchHead(options.url, options.branch, options.signal)) === undefined) return undefined;
    throw error;
  }
}
