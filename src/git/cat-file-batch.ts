import { spawn } from "node:child_process";
import { PassThrough } from "node:stream";
import { SkiffError } from "../errors/index.js";
import { traceProcess } from "../process/index.js";
import { gitEnvironment } from "./run-git.js";
import type { BlobStream } from "./blob-stream.js";
import { createBatchParser, type BatchReply, type Expected, type ObjectHeader } from "./cat-file-parser.js";

export type { Expected, ObjectHeader } from "./cat-file-parser.js";

/**
 * One long-lived `git cat-file --batch-command` in `repo`: every read of a pass goes through it
 * instead of one process per read. Requests are pipelined; answers come back in order.
 */
export interface CatFileSession {
  /** Type and size of an object (an id, or `<commit>^{tree}`), or undefined when it does not exist. */
  info(name: string): Promise<ObjectHeader | undefined>;
  /** The whole content of an object; one of another type or size than `expect` is refused. */
  contents(object: string, expect: Expected): Promise<Buffer>;
  /** Streams an object's content without holding it in memory (`expect` as for contents). */
  stream(object: string, expect: Expected): BlobStream;
  /** Lets git answer what was asked, then exit. */
  close(): void;
  /** False once closed or once git died: ask a new session. */
  isOpen(): boolean;
}

export function openCatFile(repo: string): CatFileSession {
  const startedAt = Date.now();
  // --batch-command: info (header only) and contents on demand, flushed after each command.
  const args = ["cat-file", "--batch-command"];
  const child = spawn("git", args, {
    cwd: repo,
    stdio: ["pipe", "pipe", "pipe"],
    env: gitEnvironment(),
  });
  let stderr = "";
  let closed = false;
  let failure: SkiffError | undefined;
  const parser = createBatchParser({
    pause: () => child.stdout.pause(),
    resume: () => child.stdout.resume(),
  });
  const fail = (detail: string): void => {
    failure ??= new SkiffError("ERR_SKIFF_GIT", `git cat-file --batch-command failed: ${detail}`, {
      hint: "check that the repository exists and that you may read it",
    });
    parser.failAll(failure);
  };
  child.stdout.on("data", (chunk: Buffer) => parser.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on("error", () => undefined); // a dead git is reported through close
  child.on("error", (error) => fail(error.message));
  child.on("close", (code, signal) => {
    traceProcess("git", args, startedAt, Date.now() - startedAt);
    fail(stderr.trim() || (code === 0 && signal === null ? "git exited" : (signal ?? `exit ${code}`)));
  });
  const ask = (command: string, reply: BatchReply): void => {
    if (failure) return reply.fail(failure);
    // One command per line: a name with a line break would be a second command.
    if (/[\r\n]/.test(command))
      return reply.fail(new SkiffError("ERR_SKIFF_GIT", "an object name holds a line break"));
    parser.expect(reply);
    child.stdin.write(`${command}\n`);
  };
  return {
    info: (name) =>
      new Promise((resolve, reject) => ask(`info ${name}`, { kind: "info", resolve, fail: reject })),
    contents: (object, expect) =>
      new Promise((resolve, reject) =>
        ask(`contents ${object}`, { kind: "buffer", expect, resolve, fail: reject }),
      ),
    stream(object, expect) {
      // Room for a few pipe reads (64 kB each) before git is paused.
      const stream = new PassThrough({ highWaterMark: 256 * 1024 });
      let settle!: { resolve: () => void; reject: (error: Error) => void };
      const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      const reply: BatchReply = {
        kind: "stream",
        expect,
        stream,
        resolve: settle.resolve,
        fail: settle.reject,
      };
      ask(`contents ${object}`, reply);
      // The reader gave up: the rest of this blob is read and dropped, the session stays usable.
      const cancel = (): void => parser.discard(reply, new SkiffError("ERR_SKIFF_GIT", "read cancelled"));
      return { stream, done, cancel };
    },
    close: () => {
      closed = true;
      child.stdin.end();
    },
    isOpen: () => !closed && failure === undefined,
  };
}
