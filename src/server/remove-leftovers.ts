import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pruneBuilds } from "../build/index.js";
import { appsDir } from "./apps.js";
import { endOrphanedGit } from "./orphaned-git.js";
import { serverBuildsDir, serverTmpDir } from "./server-builds.js";

export interface LeftoversRemoved {
  /** Paths removed, relative to the data dir. */
  paths: string[];
  /** Their size in bytes, roughly (files only). */
  bytes: number;
  /** git programs of a killed server that still ran (and wrote their quarantines), ended. */
  gitEnded: number;
}

/**
 * What pushes and builds cut short by a crash (kill -9, power loss) leave behind, removed when the
 * server starts and nothing of its own runs yet (git programs a killed server left are ended
 * first): DATA/tmp (push scratch, build checkouts and their TMPDIRs), git's
 * and skiff's object quarantines and half-written packs in every repository, unfinished build
 * folders, and build folders beyond the `keepBuilds` newest of each app.
 */
export async function removeLeftovers(data: string, keepBuilds: number): Promise<LeftoversRemoved> {
  const removed: LeftoversRemoved = { paths: [], bytes: 0, gitEnded: 0 };
  const remove = (path: string): void => {
    removed.bytes += sizeOf(path);
    removed.paths.push(path.slice(data.length + 1));
    rmSync(path, { recursive: true, force: true });
  };
  // git programs a killed server left running write their quarantines: ended first.
  removed.gitEnded = await endOrphanedGit(data);
  const tmp = serverTmpDir(data);
  for (const name of list(tmp)) remove(join(tmp, name));
  mkdirSync(tmp, { recursive: true });
  const repos = [join(data, "deploy.git"), ...list(appsDir(data)).map((name) => join(appsDir(data), name))];
  for (const repo of repos) for (const path of objectLeftovers(join(repo, "objects"))) remove(path);
  for (const app of list(join(data, "builds"))) {
    for (const id of await pruneBuilds({
      outDir: serverBuildsDir(data, app),
      keep: keepBuilds,
      unfinished: true,
    }))
      removed.paths.push(join("builds", app, id));
  }
  return removed;
}

/**
 * Quarantines (tmp_objdir-*: git receive-pack's incoming objects, skiff's store) and files git had
 * not finished writing (tmp_*) in an object directory. Safe only while no git process writes it.
 */
function objectLeftovers(objects: string): string[] {
  const found = list(objects)
    .filter((name) => name.startsWith("tmp_objdir-"))
    .map((name) => join(objects, name));
  for (const dir of ["pack", ...list(objects).filter((name) => /^[0-9a-f]{2}$/.test(name))]) {
    found.push(
      ...list(join(objects, dir))
        .filter((name) => name.startsWith("tmp_"))
        .map((name) => join(objects, dir, name)),
    );
  }
  return found;
}

function list(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

function sizeOf(path: string): number {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}
