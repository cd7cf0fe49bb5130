import { mkdir, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { git } from "./run-git.js";

/** A local repository: its absolute object directory, whether it is bare, and where a ref points. */
export interface LocalRepository {
  objects: string;
  bare: boolean;
  /** The object id of the ref asked for; undefined when it does not exist. */
  ref: string | undefined;
  /** The parents of the ref's commit: a follower whose tip is one of them moves forward (no merge-base). */
  parents: string[];
}

/** What a local path holds (one git process), or undefined when `repo` is not a repository. */
export async function inspectLocalRepository(
  repo: string,
  ref = "refs/heads/main",
): Promise<LocalRepository | undefined> {
  if (!(await stat(repo).catch(() => undefined))?.isDirectory()) return undefined;
  // --path-format=absolute: the path is usable from any cwd; --git-path honours GIT_OBJECT_DIRECTORY layouts;
  // --revs-only: a missing ref prints nothing instead of failing; <ref>^@ prints its parents.
  const result = await git(
    [
      "rev-parse",
      "--path-format=absolute",
      "--git-path",
      "objects",
      "--is-bare-repository",
      "--revs-only",
      ref,
      `${ref}^@`,
    ],
    {
      cwd: repo,
      // Never discover a repository above `repo` (a plain folder inside someone's checkout is not one).
      env: { GIT_CEILING_DIRECTORIES: dirname(repo) },
      allowFailure: true,
    },
  );
  const [objects, bare, tip, ...parents] = result.stdout.trim().split("\n");
  return result.exitCode === 0 && objects
    ? { objects, bare: bare === "true", ref: tip || undefined, parents: parents.filter(Boolean) }
    : undefined;
}

/** Lets `repo` read every object of `objectDirs` without copying them (git alternates). */
export async function borrowObjects(repo: string, objectDirs: readonly string[]): Promise<void> {
  const info = join(repo, "objects", "info");
  await mkdir(info, { recursive: true });
  await writeFile(join(info, "alternates"), objectDirs.join("\n") + "\n");
}
