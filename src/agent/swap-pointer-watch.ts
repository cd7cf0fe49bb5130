import { isRemoteUrl, type BatchReader } from "../git/index.js";
import { createMirrorReader, readPointers, syncMirror, tidyMirror } from "../store/index.js";
import type { TrustPolicy } from "../trust/index.js";
import { createNewsWaiters } from "./news-waiters.js";

/** A pointer value and when the fetch that saw it started (epoch ms). */
export interface SeenPointer {
  release: number | undefined;
  fetchedAt: number;
}

/** What a confirmation window asks of the pointer watch about its app. */
export interface PointerNews {
  /** What the last completed fetch saw for the app. */
  seen(): SeenPointer | undefined;
  /** Marks a window as open (refreshes only fetch while one is); returns its close. */
  open(): () => void;
  /** Sleeps `ms`, or less when the watch learns something first (a tell, a completed fetch). */
  wait(ms: number): Promise<void>;
  /** The app's followed pointer, fetched now (or by the fetch already in flight). */
  read(): Promise<number | undefined>;
  /** How often a window fetches the pointer itself (read): as often as the agent polls. */
  checkEveryMs: number;
}

/**
 * The followed pointer of each app, fetched fresh from the deployment repository. A confirmation
 * window asks it (read), and a trigger that arrives while a pass is busy refreshes it at once, so
 * a newer release ends the window without waiting for the window's next pointer check.
 */
export interface PointerWatch {
  /**
   * The commit of `branch` for a pass, fetched into the mirror; every fetch of the agent goes
   * through here, one at a time. A fetch that started after the last note() is as fresh as a new
   * one (the refresh a trigger started while the previous pass was busy), so its commit is used.
   */
  sync(branch: string): Promise<string | undefined>;
  /** A pass was asked for: fetches that started before now are too old for it. */
  note(): void;
  /** The commit of `branch` the latest completed fetch of it saw (a pass's own, or a window's). */
  fetched(branch: string): string | undefined;
  /** The mirror's reads: one cat-file session per fetched tip, what it read kept by commit and object id. */
  reader: BatchReader;
  /** While a confirmation window is open: fetches now (or joins the fetch in flight); never throws. */
  refresh(): Promise<void>;
  news(app: string): PointerNews;
  /** What the writer of the deployment repository says it just made current (the embedded server, after a store). */
  tell(app: string, release: number): void;
  /**
   * git's automatic maintenance of the mirror, left out of the fetches so a deploy never waits on
   * it: runs when a fetch brought something since the last run (one at a time); never throws.
   * The agent calls it once idle, and when it stops.
   */
  tidy(): Promise<void>;
  /** Ends the reader's session (the agent stops). */
  close(): void;
}

interface LastSync {
  branch: string;
  noted: number;
  commit: Promise<string | undefined>;
}

export function createPointerWatch(options: {
  repo: string;
  mirror: string;
  follow: "current" | "staging";
  /**
   * How often a confirmation window fetches the pointer itself (the agent's --poll, at least 1 s):
   * triggers and the server's word reach a window at once; its own fetches are the fallback.
   */
  checkEveryMs: number;
  /** The agent's --trust policy: a rewritten main is followed only with a gc record its keys signed. */
  trust?: TrustPolicy;
  /**
   * A new mirror of a remote repository is partial (it fetches the images of what it deploys):
   * for a layout that reads through the watch's reader (skiff's; the 2015 one reads with processes).
   */
  partialMirror?: boolean;
}): PointerWatch {
  const latest = new Map<string, SeenPointer>();
  // A partial mirror's images are fetched when a deploy reads them, a release's in one request.
  const reader = createMirrorReader({ mirror: options.mirror, url: options.repo });
  const waiters = createNewsWaiters();
  // Two fetches into one mirror would fight over its ref lock: they queue instead.
  let queue: Promise<unknown> = Promise.resolve();
  let noted = 0;
  let last: LastSync | undefined;
  const fetched = new Map<string, string | undefined>();
  // A local repository is followed without a fetch: its mirror borrows the objects, nothing to tidy.
  const fetches = isRemoteUrl(options.repo);
  let untidy = false;
  let tidying: Promise<void> | undefined;
  const fetchNow = (branch: string): Promise<string | undefined> => {
    const run = queue.then(() => {
      // The session that reads the fetched tip starts while the fetch runs.
      reader.prepareRenew();
      return syncMirror({
        url: options.repo,
        mirror: options.mirror,
        branch,
        autoMaintenance: false,
        partial: options.partialMirror === true,
        ...(options.trust ? { trust: options.trust } : {}),
        // New objects and a moved ref: a new session reads them (and the ref, instead of a rev-parse).
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
    last = { branch, noted, commit: run };
    return run;
  };
  const sync = (branch: string): Promise<string | undefined> => {
    const recent = last;
    if (recent?.branch !== branch || recent.noted !== noted) return fetchNow(branch);
    // A failed fetch is not reused: this caller fetches for itself.
    return recent.commit.catch(() => fetchNow(branch));
  };
  let inFlight: Promise<void> | undefined;
  let openWindows = 0;
  // Callers share the fetch in flight: a burst of triggers costs one fetch, not one each.
  const fetchAll = (): Promise<void> =>
    (inFlight ??= (async () => {
      const fetchedAt = Date.now();
      const commit = await fetchNow("main");
      const pointers =
        commit === undefined ? [] : await readPointers({ mirror: options.mirror, commit, reader });
      for (const key of latest.keys()) latest.set(key, { release: undefined, fetchedAt });
      for (const p of pointers) latest.set(p.app, { release: p[options.follow], fetchedAt });
      waiters.wake();
    })().finally(() => (inFlight = undefined)));
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
  const read = async (app: string): Promise<number | undefined> => {
    await fetchAll();
    return latest.get(app)?.release;
  };
  return {
    sync,
    note: () => void (noted += 1),
    fetched: (branch) => fetched.get(branch),
    reader,
    refresh: () => (openWindows > 0 ? fetchAll().catch(() => undefined) : Promise.resolve()),
    tell: (app, release) => {
      latest.set(app, { release, fetchedAt: Date.now() });
      waiters.wake();
    },
    news: (app) => ({
      seen: () => latest.get(app),
      open: () => {
        openWindows += 1;
        let closed = false;
        return () => {
          if (!closed) openWindows -= 1;
          closed = true;
        };
      },
      wait: (ms) => waiters.wait(ms),
      read: () => read(app),
      checkEveryMs: options.checkEveryMs,
    }),
    tidy,
    close: () => reader.close(),
  };
}
