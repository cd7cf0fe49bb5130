import { rm } from "node:fs/promises";
import { join } from "node:path";
import { git, gitOutput } from "./run-git.js";

/** Writes a file's bytes as a blob into `repo` and returns its object id. */
export async function hashFile(repo: string, path: string): Promise<string> {
  // --no-filters: store the bytes exactly, whatever attributes say; -- ends options.
  return gitOutput(["hash-object", "-w", "--no-filters", "--", path], { cwd: repo });
}

/** Writes text as a blob into `repo` and returns its object id. */
export async function hashText(repo: string, text: string): Promise<string> {
  return gitOutput(["hash-object", "-w", "--no-filters", "--stdin"], { cwd: repo, input: text });
}

/** One change to a tree: put a blob at `path`, or remove `path`. */
export type TreeChange =
  { path: string; object: string; mode: "100644" | "100755" } | { path: string; remove: true };

/** The tree of `base` (or an empty tree) with `changes` applied, written into `repo`; returns the tree id. */
export async function writeTreeWithChanges(options: {
  repo: string;
  base: string | undefined;
  changes: readonly TreeChange[];
}): Promise<string> {
  // A private index file: the repository's own index (if any) is never touched.
  const index = join(options.repo, `skiff-index-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const env = { GIT_INDEX_FILE: index };
  try {
    if (options.base !== undefined) await git(["read-tree", options.base], { cwd: options.repo, env });
    else await git(["read-tree", "--empty"], { cwd: options.repo, env });
    // --index-info lines: "<mode> <object>\t<path>"; mode 0 removes the path.
    const lines = options.changes.map((change) =>
      "remove" in change
        ? `0 ${"0".repeat(40)}\t${change.path}`
        : `${change.mode} ${change.object}\t${change.path}`,
    );
    if (lines.length > 0) {
      await git(["update-index", "--index-info"], { cwd: options.repo, env, input: lines.join("\n") + "\n" });
    }
    return await gitOutput(["write-tree"], { cwd: options.repo, env });
  } finally {
    await rm(index, { force: true });
  }
}

/** A commit of `tree` on top of `parent` (none for the first commit); returns its id. */
export async function commitTree(options: {
  repo: string;
  tree: string;
  parent: string | undefined;
  message: string;
}): Promise<string> {
  const args = ["commit-tree", options.tree];
  if (options.parent !== undefined) args.push("-p", options.parent);
  // -F -: the message comes on stdin, never through argv parsing.
  args.push("-F", "-");
  return gitOutput(args, { cwd: options.repo, input: options.message });
}
