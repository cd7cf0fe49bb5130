import { rm } from "node:fs/promises";
import { join } from "node:path";
import { SkiffError } from "../errors/index.js";
import { git, gitOutput } from "./run-git.js";

/**
 * Writes each file's bytes as a blob into `repo` with one git process; returns the object ids in
 * order. `env` may point git at a quarantine (GIT_OBJECT_DIRECTORY). Loose objects are written
 * uncompressed: skiff's large blobs are gzip already (deflating again halves the speed, saves
 * nothing) and its texts are small; a repack compresses them as usual.
 */
export async function hashFiles(
  repo: string,
  paths: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<string[]> {
  if (paths.length === 0) return [];
  if (paths.some((path) => path.includes("\n"))) {
    throw new SkiffError("ERR_SKIFF_GIT", "cannot hash a file whose path contains a line break", {
      hint: "set TMPDIR to a folder whose path has no line break",
    });
  }
  // --stdin-paths: one path a line; --no-filters: the bytes exactly, whatever attributes say.
  const out = await gitOutput(
    ["-c", "core.looseCompression=0", "hash-object", "-w", "--no-filters", "--stdin-paths"],
    {
      cwd: repo,
      env,
      input: paths.join("\n") + "\n",
    },
  );
  const objects = out.split("\n");
  if (objects.length !== paths.length) {
    throw new SkiffError(
      "ERR_SKIFF_GIT",
      `git hash-object wrote ${objects.length} objects for ${paths.length} files`,
      {
        hint: "report this as a bug, with your git version",
      },
    );
  }
  return objects;
}

/** One change to a tree: put a blob at `path`, or remove `path`. */
export type TreeChange =
  { path: string; object: string; mode: "100644" | "100755" } | { path: string; remove: true };

/** The tree of `base` (or an empty tree) with `changes` applied, written into `repo`; returns the tree id. */
export async function writeTreeWithChanges(options: {
  repo: string;
  base: string | undefined;
  /** A promise when the blobs are still being written: the base tree is read meanwhile. */
  changes: readonly TreeChange[] | Promise<readonly TreeChange[]>;
  /** Where new objects go (a quarantine's environment); the repository's own objects by default. */
  env?: NodeJS.ProcessEnv;
  /** A folder for the private index file (default: `repo`). */
  scratch?: string;
  /** A partial mirror: the tree may name blobs the repository was not sent. */
  missingOk?: boolean;
}): Promise<string> {
  // A private index file: the repository's own index (if any) is never touched.
  const index = join(
    options.scratch ?? options.repo,
    `skiff-index-${process.pid}-${Math.random().toString(36).slice(2)}`,
  );
  const env = { ...options.env, GIT_INDEX_FILE: index };
  try {
    const readBase = git(["read-tree", ...(options.base === undefined ? ["--empty"] : [options.base])], {
      cwd: options.repo,
      env,
    });
    // Both settle before an error is thrown: no git process outlives this call.
    const [base, changes] = await Promise.allSettled([readBase, options.changes]);
    if (base.status === "rejected") throw base.reason;
    if (changes.status === "rejected") throw changes.reason;
    // --index-info lines: "<mode> <object>\t<path>"; mode 0 removes the path.
    const lines = changes.value.map((change) =>
      "remove" in change
        ? `0 ${"0".repeat(40)}\t${change.path}`
        : `${change.mode} ${change.object}\t${change.path}`,
    );
    if (lines.length > 0) {
      await git(["update-index", "--index-info"], { cwd: options.repo, env, input: lines.join("\n") + "\n" });
    }
    return await gitOutput(["write-tree", ...(options.missingOk ? ["--missing-ok"] : [])], {
      cwd: options.repo,
      env,
    });
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
  /** Where the commit object goes (a quarantine's environment). */
  env?: NodeJS.ProcessEnv;
}): Promise<string> {
  const args = ["commit-tree", options.tree];
  if (options.parent !== undefined) args.push("-p", options.parent);
  // -F -: the message comes on stdin, never through argv parsing.
  args.push("-F", "-");
  return gitOutput(args, { cwd: options.repo, input: options.message, env: options.env });
}
