import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { killGroupNow } from "../process/index.js";

export interface RunCgiOptions {
  file: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** The request body, streamed to the CGI's stdin. */
  body: Readable | undefined;
  signal?: AbortSignal;
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
  // A client gone ends all of them at once: receive-pack removes its quarantine, the hook's
  // connection to the server closes, and the push it was running learns the pusher went away.
  const stop = (): void => {
    if (child.pid !== undefined) killGroupNow(child.pid, "SIGTERM");
  };
  options.signal?.addEventListener("abort", stop, { once: true });
  child.on("close", () => options.signal?.removeEventListener("abort", stop));
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  // The CGI may exit before reading all of its input (e.g. on an error): that is not our failure.
  child.stdin.on("error", () => undefined);
  // A client that goes away mid-upload errors the body: the CGI gets a cut input, never a crash.
  options.body?.on("error", () => child.stdin.destroy());
  child.stdout.on("error", () => undefined);
  if (options.body) options.body.pipe(child.stdin);
  else child.stdin.end();
  const spawned = new Promise<never>((_resolve, reject) => child.once("error", reject));
  const head = await Promise.race([readCgiHead(child.stdout), spawned]);
  if (!head) {
    return new Response(`${options.file} gave no answer: ${stderr.trim()}\n`, { status: 502 });
  }
  const body = Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>;
  return new Response(head.status === 204 || head.status === 304 ? null : body, {
    status: head.status,
    headers: head.headers,
  });
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
