import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { git } from "./run-git.js";
import { writeGitDir } from "./git-dir.js";

/** Sets one key in a repository's own config (e.g. core.hooksPath of a hosted app repository). */
export async function setRepoConfig(repo: string, key: string, value: string): Promise<void> {
  await git(["config", "--local", key, value], { cwd: repo });
}

/** The object id a ref points at, or undefined when the ref does not exist. */
export async function readRef(repo: string, ref: string): Promise<string | undefined> {
  const result = await git(["rev-parse", "--verify", "--quiet", "--end-of-options", ref], {
    cwd: repo,
    allowFailure: true,
  });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** True when `ancestor` is `descendant` or one of its ancestors. */
export async function isAncestor(repo: string, ancestor: string, descendant: string): Promise<boolean> {
  const result = await git(["merge-base", "--is-ancestor", ancestor, descendant], {
    cwd: repo,
    allowFailure: true,
  });
  return result.exitCode === 0;
}

/** Points `ref` at `value` whatever it pointed at before (a mirror following its source). */
export async function forceRef(repo: string, ref: string, value: string): Promise<void> {
  await git(["update-ref", ref, value], { cwd: repo });
}

/** Moves `ref` to `value` (an all-zero id deletes it) only if it still points at `expected` (compare and swap). */
export async function updateRef(repo: string, ref: string, value: string, expected: string): Promise<void> {
  const args = /^0+$/.test(value)
    ? ["update-ref", "-d", ref, expected]
    : ["update-ref", ref, value, expected];
  await git(args, { cwd: repo });
}

export interface ObjectViewOptions {
  /** Object directories to read from, in order (e.g. a push's quarantine, then the repository's objects). */
  objectDirs: readonly string[];
  commit: string;
  /** Where to create the view (a new bare repository). */
  dest: string;
  /** Recorded as the view's origin URL (credentials must not be in it). */
  origin?: string;
}

/**
 * A throw-away bare repository that sees objects not yet in any repository's own store (a push
 * still in quarantine during pre-receive) through alternates, with refs/heads/main at `commit`.
 * Written as files (gitrepository-layout: HEAD, config, objects/, refs/): three git processes
 * less on every push's critical path. The commit is the one git just received, so it exists.
 */
export async function createObjectView(options: ObjectViewOptions): Promise<void> {
  await writeGitDir({
    dir: options.dest,
    bare: true,
    alternates: options.objectDirs,
    head: "ref: refs/heads/main",
    // The build records where its source came from: the app's URL, not this temporary path.
    ...(options.origin === undefined ? {} : { origin: options.origin }),
  });
  await writeFile(join(options.dest, "refs", "heads", "main"), `${options.commit}\n`);
}

/**
 * True when every object reachable from `commit` is in `repo` itself (or reachable from its refs):
 * git's own connectivity check before it moves a ref to pushed objects.
 */
export async function isConnected(repo: string, commit: string, signal?: AbortSignal): Promise<boolean> {
  // --not --all: what the refs already reach is complete; rev-list fails on any missing object.
  const result = await git(["rev-list", "--objects", "--quiet", commit, "--not", "--all"], {
    cwd: repo,
    allowFailure: true,
    ...(signal ? { signal } : {}),
  });
  return result.exitCode === 0;
}
