import { existsSync } from "node:fs";
import type { EventBus } from "../events/index.js";
import { isAncestor, isConnected, readRef, updateRef } from "../git/index.js";
import { readManifest, readPointers } from "../store/index.js";
import { appRepoPath } from "./apps.js";

const MAIN = "refs/heads/main";

/**
 * At start: a push whose release was stored and made current, but whose main git never moved
 * (the server died between the store and its answer to the hook), lands now. Its objects are in
 * the app repository since its commit point; main moves only forward (a rollback made an older
 * release current: main stays). Returns the apps whose main moved.
 */
export async function landStoredPushes(options: {
  data: string;
  deployRepo: string;
  events: EventBus;
  /** Apps whose push is settled later (settlePendingPushes): its deploy decides whether main moves. */
  skip?: ReadonlySet<string>;
}): Promise<string[]> {
  const tip = await readRef(options.deployRepo, MAIN);
  if (tip === undefined) return [];
  const landed: string[] = [];
  for (const { app, current } of await readPointers({ mirror: options.deployRepo, commit: tip })) {
    if (current === undefined || options.skip?.has(app) === true) continue;
    if (await landStoredPush({ ...options, tip, app, current })) landed.push(app);
  }
  return landed;
}

/** Moves main of `app` forward to the commit of release `current` (push.landed); true when it moved. */
export async function landStoredPush(options: {
  data: string;
  deployRepo: string;
  events: EventBus;
  tip: string;
  app: string;
  current: number;
}): Promise<boolean> {
  const { app, current } = options;
  const repo = appRepoPath(options.data, app);
  if (!existsSync(repo)) return false;
  try {
    const commit = await landCurrent({
      repo,
      deployRepo: options.deployRepo,
      tip: options.tip,
      app,
      current,
    });
    if (commit === undefined) return false;
    options.events.emit({
      type: "push.landed",
      app,
      release: current,
      message: `push of ${app} ${commit.slice(0, 7)}: release ${current} is current, main moved to it at start (the server had stopped before git could)`,
      data: { commit, release: current, by: "server", stage: "start" },
    });
    return true;
  } catch (error) {
    // A release the server cannot read is the agent's to refuse; the server starts anyway.
    options.events.emit({
      type: "push.land_failed",
      app,
      release: current,
      message: `could not check main of ${app} against release ${current}: ${(error as Error).message}`,
    });
    return false;
  }
}

/** Moves main of `repo` forward to the commit of release `current`; the commit, or undefined when main stays. */
async function landCurrent(options: {
  repo: string;
  deployRepo: string;
  tip: string;
  app: string;
  current: number;
}): Promise<string | undefined> {
  const { repo, app, current } = options;
  const manifest = await readManifest({
    mirror: options.deployRepo,
    commit: options.tip,
    app,
    release: current,
  });
  const commit = manifest.source.commit;
  const main = await readRef(repo, MAIN);
  if (main === commit || !(await isConnected(repo, commit))) return undefined;
  if (main !== undefined && !(await isAncestor(repo, main, commit))) return undefined;
  await updateRef(repo, MAIN, commit, main ?? "0".repeat(commit.length));
  return commit;
}
