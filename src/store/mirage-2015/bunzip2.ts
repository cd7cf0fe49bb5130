import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SkiffError, isSkiffError } from "../../errors/index.js";
import { openBlobStream } from "../../git/index.js";

export interface Bunzip2Result {
  size: number;
  sha256: string;
}

/**
 * Decompresses a bzip2 blob of `mirror` with `bzip2 -dc` (stdin → stdout), counting and hashing the
 * bytes; writes them to `dest` when given. Stops at `maxBytes`, so a bzip2 bomb never fills the disk.
 */
export async function bunzip2Blob(options: {
  mirror: string;
  object: string;
  name: string;
  maxBytes: number;
  dest?: string;
}): Promise<Bunzip2Result> {
  const blob = openBlobStream(options.mirror, options.object);
  const bzip2 = spawn("bzip2", ["-dc"], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  bzip2.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    bzip2.on("error", reject);
    bzip2.on("close", (code) => resolve(code));
  });
  const hash = createHash("sha256");
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > options.maxBytes) {
        done(
          new SkiffError(
            "ERR_SKIFF_SIZE_MISMATCH",
            `${options.name} unpacks to more than ${options.maxBytes} bytes`,
            {
              hint: "raise the unpack size limit if this kernel really is that large",
              data: { name: options.name, maxBytes: options.maxBytes },
            },
          ),
        );
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const sink =
    options.dest === undefined
      ? new Writable({ write: (_c, _e, done) => done() })
      : createWriteStream(options.dest, { mode: 0o600 });
  const feed = pipeline(blob.stream, bzip2.stdin).catch(() => undefined);
  try {
    await pipeline(bzip2.stdout, measure, sink);
    await feed;
    const code = await exited;
    await blob.done;
    if (code !== 0) throw new Error(stderr.trim() || `bzip2 exit ${code}`);
  } catch (error) {
    bzip2.kill("SIGKILL");
    blob.cancel();
    void blob.done.catch(() => undefined);
    if (isSkiffError(error)) throw error;
    throw new SkiffError(
      "ERR_SKIFF_ARTIFACT_CORRUPT",
      `${options.name} is not a readable bzip2 file: ${(error as Error).message}`,
      {
        hint: "the kernel in the deployment repository is damaged: push it again (bzip2 -9 mir-<name>.xen)",
        data: { name: options.name },
      },
    );
  }
  return { size, sha256: hash.digest("hex") };
}
