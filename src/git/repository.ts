import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { SkiffError } from "../errors/index.js";
import { git, gitOutput } from "./run-git.js";

/** True when `location` looks like a URL or scp-style remote rather than a local path. */
export function isRemoteUrl(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location) || /^[^/]+@[^/]+:/.test(location);
}

/** A local path made absolute; URLs are returned as they are. */
export function normalizeLocation(location: string, cwd = process.cwd()): string {
  if (isRemoteUrl(location)) return location;
  return isAbsolute(location) ? location : resolve(cwd, location);
}

/** Creates a bare repository whose default branch is main. */
export async function initBare(path: string): Promise<void> {
  await git(["init", "--quiet", "--bare", "--initial-branch=main", path]);
}

/**
 * Creates a bare repository at a local path when nothing exists there yet. It lets fetches filter
 * blobs (a partial mirror), whoever serves it: git http-backend, ssh, file://.
 */
export async function ensureBareRepository(location: string): Promise<void> {
  if (isRemoteUrl(location) || existsSync(location)) return;
  await initBare(location);
  await git(["config", "uploadpack.allowFilter", "true"], { cwd: location });
}

/** The commit id HEAD points at in a work tree; a clear error when there is none. */
export async function headCommit(dir: string): Promise<string> {
  const inside = await git(["rev-parse", "--is-inside-work-tree"], { cwd: dir, allowFailure: true });
  if (inside.exitCode !== 0) {
    throw new SkiffError("ERR_SKIFF_NOT_A_GIT_REPO", `${dir} is not a git repository`, {
      hint: "run skiff in your app's git repository, or pass --dir",
    });
  }
  const head = await git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], {
    cwd: dir,
    allowFailure: true,
  });
  if (head.exitCode !== 0) {
    throw new SkiffError("ERR_SKIFF_NO_COMMITS", `${dir} has no commits yet`, {
      hint: "commit your skiff.yml and sources (git add -A && git commit), then build",
    });
  }
  return head.stdout.trim();
}

/** The top of the work tree that contains `dir`. */
export async function workTreeRoot(dir: string): Promise<string> {
  return gitOutput(["rev-parse", "--show-toplevel"], { cwd: dir });
}

/** The URL of remote `origin`, or undefined when there is none. */
export async function originUrl(dir: string): Promise<string | undefined> {
  const result = await git(["config", "--get", "remote.origin.url"], { cwd: dir, allowFailure: true });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}
