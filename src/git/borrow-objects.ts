import { mkdir, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { git } from "./run-git.js";

/** The absolute object directory of a local repository (bare or not), or undefined when `repo` is not one. */
export async function objectDirectory(repo: string): Promise<string | undefined> {
  if (!(await stat(repo).catch(() => undefined))?.isDirectory()) return undefined;
  // --path-format=absolute: the path is usable from any cwd; --git-path honours GIT_OBJECT_DIRECTORY layouts.
  const result = await git(["rev-parse", "--path-format=absolute", "--git-path", "objects"], {
    cwd: repo,
    // Never discover a repository above `repo` (a plain folder inside someone's checkout is not one).
    env: { GIT_CEILING_DIRECTORIES: dirname(repo) },
    allowFailure: true,
  });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** Lets `repo` read every object of `objectDirs` without copying them (git alternates). */
export async function borrowObjects(repo: string, objectDirs: readonly string[]): Promise<void> {
  const info = join(repo, "objects", "info");
  await mkdir(info, { recursive: true });
  await writeFile(join(info, "alternates"), objectDirs.join("\n") + "\n");
}
