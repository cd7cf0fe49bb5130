import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { readState, recordedInstances } from "../state/index.js";

/** Unpacked releases of an app kept beside the ones in use: the newest few, for a quick rollback. */
const KEEP_OTHERS = 3;

/**
 * Removes the unpacked files of an app's releases nothing needs any more (a host that follows many
 * pushes would otherwise fill its disk): it keeps every release an instance of the app runs or a
 * swap holds, the sleeping and the last deployed one, and the KEEP_OTHERS newest others. A removed
 * release is unpacked from the mirror again if it is ever wanted. Runs in the app's worker after a
 * deploy; never throws (what it cannot remove now goes at the next deploy).
 */
export function pruneReleaseFiles(data: string, app: string): string[] {
  const dir = join(data, "releases", app);
  let names: string[];
  try {
    names = readdirSync(dir);
    const state = readState(data).apps[app];
    if (state === undefined) return [];
    const inUse = new Set(recordedInstances(state).map((i) => i.release));
    for (const release of [state.asleep?.release, state.lastDeploy?.release, state.observedCurrent])
      if (release !== undefined) inUse.add(release);
    const others = names
      .map(Number)
      .filter((n) => Number.isInteger(n) && !inUse.has(n))
      .sort((a, b) => b - a);
    const removed: string[] = [];
    for (const release of others.slice(KEEP_OTHERS)) {
      rmSync(join(dir, String(release)), { recursive: true, force: true });
      removed.push(String(release));
    }
    return removed;
  } catch {
    return [];
  }
}
