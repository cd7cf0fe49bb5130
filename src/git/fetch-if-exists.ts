import { fetchBranch, remoteBranchHead, type FetchBranchOptions } from "./remote.js";

export interface FetchIfExistsOptions extends FetchBranchOptions {
  /** The branch existed last time: fetch first (one round trip); else ask first (an empty repository stays cheap). */
  likelyExists: boolean;
}

/** fetchBranch, or undefined when the branch does not exist on the remote (yet). */
export async function fetchBranchIfExists(options: FetchIfExistsOptions): Promise<string | undefined> {
  if (!options.likelyExists) {
    if ((await remoteBranchHead(options.url, options.branch, options.signal)) === undefined) return undefined;
    return fetchBranch(options);
  }
  try {
    return await fetchBranch(options);
  } catch (error) {
    // Only a failed fetch asks why: a branch that is gone is an empty repository again, not an error.
    if ((await remoteBranchHead(options.url, options.branch, options.signal)) === undefined) return undefined;
    throw error;
  }
}
