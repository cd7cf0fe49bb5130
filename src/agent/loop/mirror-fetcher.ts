import { isRemoteUrl, type BatchReader } from "../../git/index.js";
import { createMirrorReader, syncMirror, tidyMirror } from "../../store/index.js";
import type { TrustPolicy } from "../../trust/index.js";

/**
 * The loop's copy of the deployment repository (<data>/mirror.git): every fetch of the agent goes
 * through here, one at a time, and every read through one cat-file session per fetched tip.
 */
export interface MirrorFetcher {
  /** Fetches `branch` into the mirror (after any fetch in flight); its commit, or undefined while it has none. */
  sync(branch: string): Promise<string | undefined>;
  /** The mirror's reads: one cat-file session per fetched tip, what it read kept by commit and object id. */
  reader: BatchReader;
  /**
   * git's automatic maintenance of the mirror, left out of the fetches so a deploy never waits on
   * it: runs when a fetch brought something since the last run (one at a time); never throws.
   * The loop calls it once its passes are idle, and when it stops.
   */
  tidy(): Promise<void>;
  /** Ends the reader's session (the agent stops). */
  close(): void;
}

export function createMirrorFetcher(options: {
  repo: string;
  mirror: string;
  /** The agent's --trust policy: a rewritten main is followed only with a gc record its keys signed. */
  trust?: TrustPolicy;
  /**
   * A new mirror of a remote repository is partial (it fetches the images of what it deploys):
   * for a layout that reads through this reader (skiff's; the 2015 one reads with processes).
   */
  partial?: boolean;
}): MirrorFetcher {
  // A partial mirror's images are fetched when a deploy reads them, a release's in one request.
  const reader = createMirrorReader({ mirror: options.mirror, url: options.repo });
  // Two fetches into one mirror would fight over its ref lock: they queue instead.
  let queue: Promise<unknown> = Promise.resolve();
  const fetched = new Map<string, string | undefined>();
  // A local repository is followed without a fetch: its mirror borrows the objects, nothing to tidy.
  const fetches = isRemoteUrl(options.repo);
  let untidy = false;
  let tidying: Promise<void> | undefined;
  const sync = (branch: string): Promise<string | undefined> => {
    const run = queue.then(() => {
      // The session that reads the fetched tip starts while the fetch runs.
      reader.prepareRenew();
      return syncMirror({
        url: options.repo,
        mirror: options.mirror,
        branch,
        autoMaintenance: false,
        partial: options.partial === true,
        ...(options.trust ? { trust: options.trust } : {}),
        // New objects and a moved ref: a new session reads them (and the ref, instead of a rev-parse).
        // Reads of workers still in flight are answered by the old session before it exits.
        readRef: (ref) => {
          reader.renew();
          return reader.resolveCommit(ref);
        },
      });
    });
    queue = run.then(
      (commit) => {
        if (fetches && commit !== fetched.get(branch)) untidy = true;
        fetched.set(branch, commit);
      },
      () => undefined,
    );
    return run;
  };
  // Queued like a fetch: git's gc takes the locks a fetch needs. It runs rarely (its thresholds),
  // and then a trigger waits for it, as it waited when the fetch ran it.
  const tidy = (): Promise<void> => {
    if (tidying) return tidying;
    if (!untidy) return Promise.resolve();
    untidy = false;
    const run = queue.then(() => tidyMirror(options.mirror)).catch(() => undefined);
    queue = run;
    tidying = run.finally(() => (tidying = undefined));
    return tidying;
  };
  return { sync, reader, tidy, close: () => reader.close() };
}
