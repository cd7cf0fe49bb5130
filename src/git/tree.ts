import { git } from "./run-git.js";

export interface TreeEntry {
  /** git file mode: 100644, 100755, 120000 (symlink), 040000 (tree), 160000 (submodule). */
  mode: string;
  type: "blob" | "tree" | "commit";
  object: string;
  /** Size in bytes for blobs. */
  size: number | undefined;
  path: string;
}

/** Every entry under `path` at `rev` (recursive), read from git objects, not a work tree. */
export async function listTree(repo: string, rev: string, path?: string): Promise<TreeEntry[]> {
  // -z: paths are NUL-terminated and never quoted; -l adds blob sizes.
  const args = ["ls-tree", "-r", "-l", "-z", rev];
  if (path !== undefined) args.push("--", path);
  const result = await git(args, { cwd: repo });
  return result.stdout
    .split("\0")
    .filter((line) => line.length > 0)
    .map((line) => {
      const tab = line.indexOf("\t");
      const [mode = "", type = "", object = "", size = ""] = line.slice(0, tab).split(/\s+/);
      return {
        mode,
        type: type as TreeEntry["type"],
        object,
        // "-" for a tree, "BAD" for a blob a partial mirror has not fetched.
        size: /^[0-9]+$/.test(size) ? Number(size) : undefined,
        path: line.slice(tab + 1),
      };
    });
}

/** The text of a file at `rev`, or undefined when it does not exist there. */
export async function readFileAt(repo: string, rev: string, path: string): Promise<string | undefined> {
  const result = await git(["cat-file", "blob", `${rev}:${path}`], { cwd: repo, allowFailure: true });
  return result.exitCode === 0 ? result.stdout : undefined;
}
