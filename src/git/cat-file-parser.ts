import type { PassThrough } from "node:stream";
import { SkiffError } from "../errors/index.js";

/** What `info` answers: the object's id, type and size in bytes. */
export interface ObjectHeader {
  object: string;
  type: string;
  size: number;
}

/** What the asker knows of the object already (from a tree or info): anything else is refused. */
export interface Expected {
  type?: string;
  size?: number;
}

interface Settles {
  fail(error: Error): void;
  /** Set when the asker gave up: the answer is read and dropped, then fail(dropped). */
  dropped?: Error;
}

/** One request waiting for its answer, in the order the commands were written. */
export type BatchReply = Settles &
  (
    | { kind: "info"; resolve(header: ObjectHeader | undefined): void }
    | { kind: "buffer"; expect: Expected; resolve(bytes: Buffer): void }
    | { kind: "stream"; expect: Expected; stream: PassThrough; resolve(): void }
  );

type ContentReply = Exclude<BatchReply, { kind: "info" }>;

interface Body {
  reply: ContentReply;
  /** Content bytes still to come (the trailing newline comes after them). */
  remaining: number;
  chunks: Buffer[];
}

/** Splits `git cat-file --batch-command` output into the answers of the requests, in order. */
export function createBatchParser(flow: { pause: () => void; resume: () => void }) {
  const queue: BatchReply[] = [];
  let buffered: Buffer = Buffer.alloc(0);
  let body: Body | undefined;

  const startBody = (reply: ContentReply, header: ObjectHeader): void => {
    const { type, size } = reply.expect;
    // The size was checked before asking: an object that is not what was checked is refused unread.
    if (size !== undefined && header.size !== size)
      reply.dropped ??= new SkiffError(
        "ERR_SKIFF_SIZE_MISMATCH",
        `object ${header.object} is ${header.size} bytes, not the ${size} expected`,
      );
    if (type !== undefined && header.type !== type)
      reply.dropped ??= new SkiffError(
        "ERR_SKIFF_GIT",
        `object ${header.object} is a ${header.type}, not a ${type}`,
      );
    body = { reply, remaining: header.size, chunks: [] };
    if (reply.kind !== "stream") return;
    if (reply.stream.destroyed)
      reply.dropped ??= new SkiffError("ERR_SKIFF_GIT", "the reader closed the stream");
    else reply.stream.once("close", () => drop(reply));
  };
  const drop = (reply: ContentReply): void => {
    if (body?.reply !== reply) return;
    reply.dropped ??= new SkiffError("ERR_SKIFF_GIT", "the reader closed the stream");
    flow.resume();
  };
  const feedBody = (current: Body, part: Buffer): void => {
    const { reply } = current;
    if (reply.dropped) return;
    if (reply.kind === "buffer") current.chunks.push(part);
    else if (reply.kind === "stream" && !reply.stream.destroyed && !reply.stream.write(part)) {
      flow.pause();
      if (reply.stream.listeners("drain").includes(flow.resume)) return;
      reply.stream.once("drain", flow.resume);
    }
  };
  const finishBody = (current: Body): void => {
    const { reply } = current;
    body = undefined;
    queue.shift();
    if (reply.kind === "stream") {
      reply.stream.off("drain", flow.resume);
      // An ending stream emits no drain: the answers after this one flow again now.
      flow.resume();
    }
    if (reply.dropped) {
      if (reply.kind === "stream") reply.stream.destroy();
      reply.fail(reply.dropped);
    } else if (reply.kind === "buffer") reply.resolve(Buffer.concat(current.chunks));
    else reply.stream.end(() => reply.resolve());
  };
  const readHeader = (): boolean => {
    const newline = buffered.indexOf(10);
    if (newline < 0 || queue.length === 0) return false;
    const line = buffered.subarray(0, newline).toString("latin1");
    buffered = buffered.subarray(newline + 1);
    const reply = queue[0]!;
    const [object = "", type = "", size = ""] = line.split(" ");
    if (!/^[0-9a-f]{40,64}$/.test(object) || !/^[0-9]+$/.test(size)) {
      // "<name> missing" or "<name> ambiguous": nothing follows the line.
      queue.shift();
      if (reply.kind === "info") {
        reply.resolve(undefined);
        return true;
      }
      const error = new SkiffError("ERR_SKIFF_GIT", `git cat-file: ${line}`);
      // As a failed `git cat-file blob`: the bytes end, and done says why.
      if (reply.kind === "stream") reply.stream.end();
      reply.fail(error);
      return true;
    }
    const header = { object, type, size: Number(size) };
    if (reply.kind === "info") {
      queue.shift();
      reply.resolve(header);
    } else startBody(reply, header);
    return true;
  };
  const pump = (): void => {
    for (;;) {
      if (body === undefined) {
        if (!readHeader()) return;
        continue;
      }
      if (body.remaining > 0) {
        const take = Math.min(body.remaining, buffered.length);
        if (take === 0) return;
        feedBody(body, buffered.subarray(0, take));
        buffered = buffered.subarray(take);
        body.remaining -= take;
      }
      if (body.remaining > 0 || buffered.length === 0) return;
      buffered = buffered.subarray(1); // the newline after the content
      finishBody(body);
    }
  };

  return {
    expect: (reply: BatchReply): void => void queue.push(reply),
    push(chunk: Buffer): void {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      pump();
    },
    /** The asker gave up on `reply`: its answer is still read (git sends it), then dropped. */
    discard(reply: BatchReply, error: Error): void {
      reply.dropped ??= error;
      if (reply.kind !== "info") drop(reply);
    },
    failAll(error: Error): void {
      body = undefined;
      for (const reply of queue.splice(0)) {
        if (reply.kind === "stream") reply.stream.end();
        reply.fail(error);
      }
    },
  };
}
