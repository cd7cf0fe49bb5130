import type { Socket } from "node:net";
import { answerHttp } from "./answer-client.js";
import type { EngineView } from "./engine.js";
import { readRequestHead } from "./request-head.js";

/** Bounds on a request head on the shared listener: size (431 past it) and time to send it (408). */
export const HEAD_LIMITS = { maxBytes: 16 * 1024, timeoutMs: 10_000 };

const REFUSED: Record<number, string> = {
  400: "Bad Request: not an HTTP/1 request head.\n",
  408: "Request Timeout: the request head did not arrive in time.\n",
  431: "Request Header Fields Too Large.\n",
};

/** A connection to the shared listener: read its first request head, route it by Host, or answer. */
export function handleSharedConnection(socket: Socket, view: () => EngineView): void {
  socket.on("error", () => socket.destroy());
  readRequestHead(socket, HEAD_LIMITS).then(
    (result) => {
      if (result.kind === "gone") return void socket.destroy();
      if (result.kind === "bad") return answerHttp(socket, result.status, REFUSED[result.status] ?? "\n");
      const current = view();
      const route = current.routeOf(result.host);
      if (route === undefined)
        return answerHttp(socket, 404, current.notFoundPage(result.host), "text/html; charset=utf-8");
      route.accept(socket, { head: result.head, http: true });
    },
    () => socket.destroy(),
  );
}
