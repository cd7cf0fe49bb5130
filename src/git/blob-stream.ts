import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { SkiffError } from "../errors/index.js";
import { gitEnvironment } from "./run-git.js";
import { traceProcess } from "../process/index.js";

export interface BlobStream {
  /** The blob's bytes. */
  stream: Readable;
  /** Resolves when git exits 0; rejects otherwise. */
  done: Promise<void>;
  /** Stops git early (the reader gave up). */
  cancel: () => void;
}

/** Streams a blob's bytes out of `repo` without holding them in memory. */
export function openBlobStream(repo: string, object: string): BlobStream {
  const startedAt = Date.now();
  const child = spawn("git", ["cat-file", "blob", object], {
    cwd: repo,
    stdio: ["ignore", "pipe", "pipe"],
    env: gitEnvironment(),
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      traceProcess("git", ["cat-file", "blob", object], startedAt, Date.now() - startedAt);
      if (code === 0) resolve();
      else
        reject(
          new SkiffError(
            "ERR_SKIFF_GIT",
            `git cat-file blob ${object} failed: ${stderr.trim() || (signal ?? `exit ${code}`)}`,
          ),
        );
    });
  });
  return { stream: child.stdout, done, cancel: () => child.kill("SIGKILL") };
}
