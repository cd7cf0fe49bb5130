import type { Socket } from "node:net";

const METHOD = /^(GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH|CONNECT|TRACE|PRI) /;

/** True when the client's first bytes start an HTTP/1 request (or the HTTP/2 preface). */
export function looksLikeHttp(chunks: readonly Buffer[]): boolean {
  const first = chunks[0];
  return first !== undefined && METHOD.test(first.toString("latin1", 0, Math.min(first.length, 8)));
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
  503: "Service Unavailable",
};

/**
 * Answers an HTTP client and closes: the response, then our half-close; what the client still sends
 * is read and dropped, so that closing with unread bytes does not turn into a reset that loses the answer.
 */
export function answerHttp(
  socket: Socket,
  status: number,
  body: string,
  contentType = "text/plain; charset=utf-8",
): void {
  if (socket.destroyed) return;
  const payload = Buffer.from(body, "utf8");
  const head =
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\ncontent-type: ${contentType}\r\n` +
    `content-length: ${payload.length}\r\nconnection: close\r\n` +
    (status === 503 ? "retry-after: 1\r\n" : "") +
    "\r\n";
  const timer = setTimeout(() => socket.destroy(), 2000);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
  socket.on("error", () => socket.destroy());
  socket.on("end", () => socket.destroy());
  socket.on("data", () => undefined);
  socket.resume();
  socket.end(Buffer.concat([Buffer.from(head, "latin1"), payload]));
}

/** A client no backend can take: 503 when it speaks HTTP, else a reset. */
export function answerUnavailable(socket: Socket, http: boolean): "503" | "reset" {
  if (http) {
    answerHttp(socket, 503, "Service Unavailable: the app is not running; try again in a moment.\n");
    return "503";
  }
  resetClient(socket);
  return "reset";
}

/** Closes with a TCP reset; a unix socket (HAProxy's connection to a hold socket) has none and is just closed. */
export function resetClient(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
