import { existsSync, statSync } from "node:fs";
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { writeGitDir } from "./git-dir.js";
import { git } from "./run-git.js";

/**
 * A checkout of exactly `commit` in `dest`, sharing objects with `source` (no copy of history):
 * HEAD detached at the commit, the source's tags and branches along (git describe works), origin
 * naming the source.
 *
 * A source whose refs are plain files (the usual layout, and the server's view of a push) gets its
 * `.git` written directly and one `git read-tree -u`: about a third of what `git clone --shared`
 * plus `git checkout` cost, which a push waits for before its first build step. Anything else (a
 * linked work tree, reftable refs) is cloned.
 */
export async function checkoutCommit(
  source: { repo: string; bare: boolean },
  commit: string,
  dest: string,
): Promise<void> {
  const gitDir = borrowableGitDir(source.bare ? source.repo : join(source.repo, ".git"));
  if (gitDir === undefined) {
    await git(["clone", "--quiet", "--shared", "--no-checkout", source.repo, dest]);
    await git(["checkout", "--quiet", "--detach", commit], { cwd: dest });
    return;
  }
  const target = join(dest, ".git");
  await writeGitDir({
    dir: target,
    bare: false,
    alternates: [join(gitDir, "objects")],
    head: commit,
    origin: source.repo,
  });
  // Tags and branches come along as they are stored: loose ref files and packed-refs.
  const tags = join(gitDir, "refs", "tags");
  if (existsSync(tags)) await cp(tags, join(target, "refs", "tags"), { recursive: true });
  for (const file of ["packed-refs", "shallow"]) {
    if (existsSync(join(gitDir, file))) await cp(join(gitDir, file), join(target, file));
  }
  // Writes the index and the work tree (attributes and filters apply, as in a checkout).
  await git(["read-tree", "--reset", "-u", commit], { cwd: dest });
}

/**
 * `dir` when it is a git directory whose objects can be borrowed and whose refs can be copied as
 * files: not a `.git` file (a linked work tree, a submodule), no commondir, no reftable.
 */
function borrowableGitDir(dir: string): string | undefined {
  if (!isDirectory(join(dir, "objects")) || !existsSync(join(dir, "HEAD"))) return undefined;
  if (existsSync(join(dir, "commondir")) || existsSync(join(dir, "reftable"))) return undefined;
  return dir;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
