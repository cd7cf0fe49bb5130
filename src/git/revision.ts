import { existsSync } from "node:fs";
import { git } from "./run-git.js";

/** "bare" for a bare repository, "work-tree" inside a work tree, undefined when `dir` is no git repository. */
export async function repositoryKind(dir: string): Promise<"bare" | "work-tree" | undefined> {
  if (!existsSync(dir)) return undefined;
  const result = await git(["rev-parse", "--is-bare-repository", "--is-inside-work-tree"], {
    cwd: dir,
    allowFailure: true,
  });
  if (result.exitCode !== 0) return undefined;
  const [bare, inside] = result.stdout.trim().split("\n");
  if (bare === "true") return "bare";
  return inside === "true" ? "work-tree" : undefined;
}

/** The full commit id `rev` names in `repo`, or undefined when it names no commit. */
export async function resolveCommit(repo: string, rev: string): Promise<string | undefined> {
  // --end-of-options: a rev that starts with "-" is a name, never an option.
  const result = await git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`], {
    cwd: repo,
    allowFailure: true,
  });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** The branch HEAD is on (e.g. "main"), or undefined when HEAD is detached. */
export async function currentBranch(repo: string): Promise<string | undefined> {
  const result = await git(["symbolic-ref", "--quiet", "--short", "HEAD"], { cwd: repo, allowFailure: true });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** True when the work tree has uncommitted changes or untracked files (ignored files don't count). */
export async function hasUncommittedChanges(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return false;
  const result = await git(["status", "--porcelain", "--untracked-files=normal"], {
    cwd: dir,
    allowFailure: true,
  });
  return result.exitCode === 0 && result.stdout.trim().length > 0;
}
