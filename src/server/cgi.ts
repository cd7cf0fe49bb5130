import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { killGroupNow } from "../process/index.js";
import type { GitChildren } from "./git-children.js";

export interface RunCgiOptions {
  file: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** The request body, streamed to the CGI's stdin. */
  body: Readable | undefined;
  /** Aborts when the client went away. */
  signal?: AbortSignal;
  /**
   * What happens when the client went away, instead of killing the program at once: a push lets
   * its hook answer so git ends cleanly. `kill` ends the program's whole process group.
   */
  onClientGone?: (kill: () => void) => void;
  /** Called once the program runs, with what ends its whole process group. */
  onSpawn?: (kill: () => void) => void;
  /** Called once the program exited. */
  onExit?: () => void;
  /** Where the program is followed, to be ended when the server stops. */
  children?: GitChildren;
}

interface CgiHead {
  status: number;
  headers: Headers;
}

/** Runs a CGI program and streams its answer back as a Response (no buffering of whole bodies). */
export async function runCgi(options: RunCgiOptions): Promise<Response> {
  // Its own process group: git http-backend runs receive-pack, which runs the pre-receive hook.
  const child = spawn(options.file, [...options.args], {
    env: options.env,
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  options.children?.track(child);
  const kill = (): void => {
    if (child.pid !== undefined && child.exitCode === null) killGroupNow(child.pid, "SIGTERM");
  };
  options.onSpawn?.(kill);
  const answer = relayOutput(child.stdout);
  const clientGone = (): void => {
    // Its input ends and its output is read and dropped: it can finish as it would, or be ended.
    options.body?.unpipe(child.stdin);
    child.stdin.end();
    answer.drain();
    if (options.onClientGone) options.onClientGone(kill);
    else kill();
  };
  options.signal?.addEventListener("abort", clientGone, { once: true });
  child.on("close", () => {
    options.signal?.removeEventListener("abort", clientGone);
    options.onExit?.();
  });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  // The CGI may exit before reading all of its input (e.g. on an error): that is not our failure.
  child.stdin.on("error", () => undefined);
  // A client that goes away mid-upload errors the body: the CGI gets a cut input, never a crash.
  options.body?.on("error", () => child.stdin.end());
  child.stdout.on("error", () => undefined);
  if (options.body) options.body.pipe(child.stdin);
  else child.stdin.end();
  const spawned = new Promise<never>((_resolve, reject) => child.once("error", reject));
  const head = await Promise.race([readCgiHead(child.stdout), spawned]);
  if (!head) {
    return new Response(`${options.file} gave no answer: ${stderr.trim()}\n`, { status: 502 });
  }
  return new Response(head.status === 204 || head.status === 304 ? null : answer.start(), {
    status: head.status,
    headers: head.headers,
  });
}

/**
 * The CGI's stdout as a web stream, with backpressure; once the client is gone (the stream is
 * cancelled, or drain() is called) what the CGI still writes is read and dropped, never left to
 * block it or to kill it with SIGPIPE in the middle of what it does (git's quarantine, its refs).
 */
function relayOutput(stdout: Readable): { start: () => ReadableStream<Uint8Array>; drain: () => void } {
  let dropping = false;
  let relay: ReadableStreamDefaultController<Uint8Array> | undefined;
  const drain = (): void => {
    if (dropping) return;
    dropping = true;
    stdout.removeAllListeners("data");
    stdout.resume();
    try {
      relay?.close();
    } catch {
      // Cancelled already.
    }
  };
  const start = (): ReadableStream<Uint8Array> =>
    new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          relay = controller;
          if (dropping) return controller.close();
          stdout.on("data", (chunk: Buffer) => {
            controller.enqueue(chunk);
            if ((controller.desiredSize ?? 1) <= 0) stdout.pause();
          });
          stdout.once("end", () => {
            if (!dropping) controller.close();
          });
        },
        pull: () => {
          if (!dropping) stdout.resume();
        },
        cancel: () => {
          relay = undefined;
          drain();
        },
      },
      { highWaterMark: 8 },
    );
  return { start, drain };
}

/** Reads the CGI header block; what follows the blank line is pushed back onto the stream. */
function readCgiHead(stream: Readable): Promise<CgiHead | undefined> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = stream.read() as Buffer | null) !== null) {
        buffered = Buffer.concat([buffered, chunk]);
        const end = findHeadEnd(buffered);
        if (end) {
          cleanup();
          stream.unshift(buffered.subarray(end.bodyStart));
          resolve(parseCgiHead(buffered.subarray(0, end.headEnd).toString("latin1")));
          return;
        }
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve(undefined);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      stream.off("readable", onReadable);
      stream.off("end", onEnd);
      stream.off("error", onError);
    };
    stream.on("readable", onReadable);
    stream.on("end", onEnd);
    stream.on("error", onError);
  });
}

function findHeadEnd(buffer: Buffer): { headEnd: number; bodyStart: number } | undefined {
  const crlf = buffer.indexOf("\r\n\r\n");
  const lf = buffer.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headEnd: lf, bodyStart: lf + 2 };
  return undefined;
}

function parseCgiHead(text: string): CgiHead {
  const headers = new Headers();
  let status = 200;
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
    else headers.append(name, value);
  }
  return { status, headers };
}
