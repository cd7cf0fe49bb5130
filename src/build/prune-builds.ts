import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { BUILD_ID, LATEST_FILE, SUMMARY_FILE } from "./build-folder.js";

export interface PruneBuildsOptions {
  /** A builds folder (<outDir>): one folder per build. */
  outDir: string;
  /** How many of the newest finished builds stay. */
  keep: number;
  /** Also remove the folders of builds that never finished (no build.json): only when none runs. */
  unfinished?: boolean;
}

/**
 * Removes the build folders of `outDir` but the `keep` newest finished ones and the latest
 * successful one (what `latest` names); returns the ids removed.
 */
export async function pruneBuilds(options: PruneBuildsOptions): Promise<string[]> {
  if (!existsSync(options.outDir)) return [];
  const ids = newestFirst(
    options.outDir,
    readdirSync(options.outDir).filter((name) => BUILD_ID.test(name)),
  );
  const latest = readLatest(options.outDir);
  const finished = ids.filter((id) => existsSync(join(options.outDir, id, SUMMARY_FILE)));
  const unfinished = ids.filter((id) => !finished.includes(id));
  const doomed = [
    ...finished.slice(options.keep).filter((id) => id !== latest),
    ...(options.unfinished ? unfinished : []),
  ];
  for (const id of doomed) await rm(join(options.outDir, id), { recursive: true, force: true });
  return doomed;
}

/**
 * Newest first: by the start second in the id, then (two builds in one second) by when each
 * folder last changed, so the random suffix never decides.
 */
function newestFirst(outDir: string, ids: string[]): string[] {
  const changed = (id: string): number => {
    try {
      return statSync(join(outDir, id)).mtimeMs;
    } catch {
      return 0;
    }
  };
  const keyed = ids.map((id) => ({ id, second: id.slice(0, 16), at: changed(id) }));
  keyed.sort((a, b) => (a.second === b.second ? b.at - a.at : a.second < b.second ? 1 : -1));
  return keyed.map((k) => k.id);
}

function readLatest(outDir: string): string | undefined {
  try {
    return readFileSync(join(outDir, LATEST_FILE), "utf8").trim();
  } catch {
    return undefined;
  }
}
