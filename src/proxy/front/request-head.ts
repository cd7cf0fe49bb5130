import type { Socket } from "node:net";
import type { ClientHead } from "../forward-connection.js";

export type RequestHeadResult =
  /** `host`: the Host header (or an absolute target's host) in lower case, without port or final dot. */
  | { kind: "request"; head: ClientHead; host: string | undefined }
  | { kind: "bad"; status: 400 | 408 | 431 }
  | { kind: "gone" };

export interface ReadRequestHeadOptions {
  /** A head larger than this is refused with 431. */
  maxBytes: number;
  /** A head not complete within this time is refused with 408 (slowloris). */
  timeoutMs: number;
}

const REQUEST_LINE = /^[A-Z]{1,20} (\S+) HTTP\/1\.[01]$/;
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection"]);

/** Reads one HTTP/1 request head from a new client, bounded in size and time; leaves the socket paused. */
export function readRequestHead(socket: Socket, options: ReadRequestHeadOptions): Promise<RequestHeadResult> {
  return new Promise((resolve) => {
    let buffer: Buffer = Buffer.alloc(0);
    const finish = (result: RequestHeadResult): void => {
      clearTimeout(timer);
      socket.removeListener("data", onData);
      socket.removeListener("end", onEnd);
      socket.removeListener("close", onGone);
      socket.removeListener("error", onGone);
      socket.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      const from = Math.max(0, buffer.length - 3);
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf("\r\n\r\n", from, "latin1");
      if (end >= 0 && end + 4 <= options.maxBytes) return finish(parseHead(buffer, end));
      if (buffer.length > options.maxBytes) finish({ kind: "bad", status: 431 });
    };
    const onEnd = (): void => finish(buffer.length === 0 ? { kind: "gone" } : { kind: "bad", status: 400 });
    const onGone = (): void => finish({ kind: "gone" });
    const timer = setTimeout(() => finish({ kind: "bad", status: 408 }), options.timeoutMs);
    socket.on("data", onData);
    socket.once("end", onEnd);
    socket.once("close", onGone);
    socket.once("error", onGone);
    // Accepted paused (pauseOnConnect): a 'data' listener alone does not start the flow.
    socket.resume();
  });
}

/**
 * Parses the head ending at `end` and rewrites it with `connection: close` (an upgrade is left as
 * it is): the door routes a connection by its first request, so one connection carries one request
 * and a client that sends requests for several hosts on one connection is never misrouted.
 */
function parseHead(buffer: Buffer, end: number): RequestHeadResult {
  const lines = buffer.toString("latin1", 0, end).split("\r\n");
  const target = REQUEST_LINE.exec(lines[0] ?? "")?.[1];
  if (target === undefined) return { kind: "bad", status: 400 };
  let host: string | undefined;
  let upgrade = false;
  const kept: string[] = [lines[0] ?? ""];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) return { kind: "bad", status: 400 };
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "host") {
      if (host !== undefined) return { kind: "bad", status: 400 };
      host = value;
    }
    if (name === "upgrade") upgrade = true;
    if (!HOP_BY_HOP.has(name)) kept.push(line);
  }
  const absolute = /^https?:\/\/([^/?#]+)/i.exec(target)?.[1];
  const rest = buffer.subarray(end + 4);
  const head = upgrade
    ? buffer
    : Buffer.concat([Buffer.from(`${kept.join("\r\n")}\r\nconnection: close\r\n\r\n`, "latin1"), rest]);
  return { kind: "request", head: { chunks: [head], ended: false }, host: normalizeHost(absolute ?? host) };
}

/** "Hello.Example.com.:8000" → "hello.example.com"; "[::1]:80" → "[::1]". */
export function normalizeHost(host: string | undefined): string | undefined {
  if (host === undefined || host === "") return undefined;
  const lower = host.toLowerCase();
  const name = lower.startsWith("[") ? lower.slice(0, lower.indexOf("]") + 1) : lower.replace(/:\d*$/, "");
  return name.replace(/\.$/, "");
}
