import { PassThrough } from "node:stream";
import { SkiffError } from "../errors/index.js";
import { spawnGit } from "./spawn-git.js";
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
  // --batch-command: info (header only) and contents on demand, flushed after each command.
  const { child, done } = spawnGit(["cat-file", "--batch-command"], { cwd: repo, collectStdout: false });
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
  done.then(
    ({ exitCode, signal, stderr }) =>
      fail(
        stderr.trim() || (exitCode === 0 && signal === null ? "git exited" : (signal ?? `exit ${exitCode}`)),
      ),
    (error: Error) => fail(error.message),
  );
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
