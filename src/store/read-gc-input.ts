import { lastCommitTouching, listTree, readFileAt } from "../git/index.js";
import { pointerRelease, readAppState } from "./app-state.js";
import { GC_RECORD_PATH, readGcRecord, type GcRecord } from "./gc-record.js";
import { appNames, pointerPath } from "./layout.js";
import { mergeReleases, type GcAppState } from "./plan-gc.js";
import { isCollected } from "./release-images.js";

export interface GcInput {
  apps: GcAppState[];
  /** The record of the last gc, when there was one. */
  record?: GcRecord;
}

/** What a gc plans with, read at `tip` of a local repository: each app's releases and pointers. */
export async function readGcInput(repo: string, tip: string): Promise<GcInput> {
  const record = await readLastRecord(repo, tip);
  const apps: GcAppState[] = [];
  for (const app of appNames(await listTree(repo, tip))) {
    const state = await readAppState(repo, tip, app);
    const stillCollected = state.releases.filter((release) => isCollected(state.entries, app, release));
    const collected = mergeReleases(record?.collected ?? {}, { [app]: stillCollected })[app] ?? [];
    apps.push({
      app,
      releases: state.releases,
      current: pointerRelease(state.currentText),
      previousCurrent: await readPreviousCurrent(repo, tip, app),
      staging: pointerRelease(state.stagingText),
      collected,
    });
  }
  return record === undefined ? { apps } : { apps, record };
}

/** What current named before the commit that last changed it. */
async function readPreviousCurrent(repo: string, tip: string, app: string): Promise<number | undefined> {
  const path = pointerPath(app, "current");
  const changed = await lastCommitTouching(repo, tip, path);
  if (changed === undefined) return undefined;
  // A root commit has no parent: nothing came before.
  return pointerRelease(await readFileAt(repo, `${changed}^`, path));
}

/** The previous gc's record; one that does not parse counts as none (the tip's folders still say what is gone). */
async function readLastRecord(repo: string, tip: string): Promise<GcRecord | undefined> {
  const text = await readFileAt(repo, tip, GC_RECORD_PATH);
  if (text === undefined) return undefined;
  try {
    return readGcRecord(Buffer.from(text, "utf8"));
  } catch {
    return undefined;
  }
}
