import { createWriteStream } from "node:fs";
import { spawn } from "node:child_process";
import { SkiffError } from "../errors/index.js";
import { traceMark } from "../process/index.js";
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
        size: size === "-" ? undefined : Number(size),
        path: line.slice(tab + 1),
      };
    });
}

/** The text of a file at `rev`, or undefined when it does not exist there. */
export async function readFileAt(repo: string, rev: string, path: string): Promise<string | undefined> {
  const result = await git(["cat-file", "blob", `${rev}:${path}`], { cwd: repo, allowFailure: true });
  return result.exitCode === 0 ? result.stdout : undefined;
}

/** Streams a blob to a file without holding it in memory; at most `maxBytes` are accepted. */
export function writeBlobToFile(
  repo: string,
  object: string,
  dest: string,
  maxBytes: number,
): Promise<number> {
  const startedAt = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["cat-file", "blob", object], {
      cwd: repo,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out = createWriteStream(dest, { mode: 0o600 });
    let written = 0;
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      child.kill("SIGKILL");
      out.destroy();
      reject(error);
    };
    child.stdout.on("data", (chunk: Buffer) => {
      written += chunk.length;
      if (written > maxBytes) {
        fail(
          new SkiffError(
            "ERR_SKIFF_SIZE_MISMATCH",
            `blob ${object} is larger than the ${maxBytes} bytes expected`,
          ),
        );
        return;
      }
      if (!out.write(chunk)) child.stdout.pause();
    });
    out.on("drain", () => child.stdout.resume());
    child.on("error", fail);
    child.on("close", (code) => {
      traceMark(`git cat-file blob ${object}`, startedAt, Date.now() - startedAt);
      if (failed) return;
      if (code !== 0) {
        fail(new SkiffError("ERR_SKIFF_GIT", `git cat-file blob ${object} failed (exit ${code})`));
        return;
      }
      out.end(() => resolve(written));
    });
  });
}
