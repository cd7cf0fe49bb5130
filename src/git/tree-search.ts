import { gitOutput } from "./run-git.js";

/** Every file path at `rev`, from its trees alone (no blob is read: a partial mirror lists them too). */
export async function listPaths(repo: string, rev: string): Promise<string[]> {
  // -z: paths NUL-terminated and never quoted.
  const out = await gitOutput(["ls-tree", "-r", "-z", "--name-only", "--end-of-options", rev], { cwd: repo });
  return out.split("\0").filter((path) => path.length > 0);
}

/** The commits reachable from `tip` whose root tree is `tree`, newest first. */
export async function commitsWithTree(repo: string, tip: string, tree: string): Promise<string[]> {
  // %H %T: commit and tree ids; commits only, so nothing else is read.
  const out = await gitOutput(["log", "--format=%H %T", "--end-of-options", tip], { cwd: repo });
  return out
    .split("\n")
    .map((line) => line.split(" "))
    .filter(([, root]) => root === tree)
    .map(([commit]) => commit!);
}
