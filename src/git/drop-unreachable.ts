import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { git } from "./run-git.js";

/**
 * Removes for good every object no ref reaches: reflogs expired, everything reachable repacked into
 * one pack (`repack -a -d` leaves unreachable packed objects out), then every loose object left,
 * which `repack -d` would have removed had it been packed. Unlike `git prune --expire=now`, a
 * quarantine in progress (objects/tmp_objdir-*) is left alone. Call it while no writer can move a
 * ref (the caller holds main's lock): nothing written meanwhile can be reachable yet.
 */
export async function dropUnreachableObjects(repo: string, objects: string): Promise<void> {
  // Deltas are tried only among what is small: a gzipped image does not delta against another.
  await git(["-c", "core.bigFileThreshold=1m", "repack", "-a", "-d", "-q"], {
    cwd: repo,
    timeoutMs: 3_600_000,
  });
  for (const name of await readdir(objects)) {
    if (!/^[0-9a-f]{2}$/.test(name)) continue;
    const dir = join(objects, name);
    for (const file of await readdir(dir)) {
      // tmp_obj_* are objects git is writing right now.
      if (/^[0-9a-f]{38}([0-9a-f]{24})?$/.test(file)) await rm(join(dir, file), { force: true });
    }
  }
}

/** Expires every reflog entry now (a rewritten branch's reflog would keep its old history alive). */
export async function expireReflogs(repo: string): Promise<void> {
  await git(["reflog", "expire", "--expire=now", "--expire-unreachable=now", "--all"], { cwd: repo });
}

/** Bytes of every file under an object directory (packs, indexes, loose objects). */
export async function measureObjects(objects: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(objects, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}
