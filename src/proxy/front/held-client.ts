import type { Socket } from "node:net";
import type { ClientHead } from "../forward-connection.js";
import { looksLikeHttp } from "./answer-client.js";

/** A client connection waiting for a ready backend (the app is scaled to zero or booting). */
export interface HeldClient {
  readonly socket: Socket;
  /** Known to speak HTTP (the shared listener), or its first bytes look like it. */
  http(): boolean;
  /** Stops watching the socket, which goes to a backend now; returns what was read from it. */
  take(): ClientHead;
}

export interface HoldClientOptions {
  /** Already read from it (a routed request head). */
  head?: ClientHead;
  http?: boolean;
  /** Read up to this many bytes while waiting (to see whether it speaks HTTP); the rest waits in the socket. */
  maxBytes: number;
  /** The client went away while held. */
  onGone: () => void;
}

export function holdClient(socket: Socket, options: HoldClientOptions): HeldClient {
  const head: ClientHead = options.head ?? { chunks: [], ended: false };
  let size = head.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const onData = (chunk: Buffer): void => {
    head.chunks.push(chunk);
    size += chunk.length;
    if (size >= options.maxBytes) socket.pause();
  };
  const onEnd = (): void => {
    head.ended = true;
  };
  const onGone = (): void => {
    detach();
    socket.destroy();
    options.onGone();
  };
  const detach = (): void => {
    socket.removeListener("data", onData);
    socket.removeListener("end", onEnd);
    socket.removeListener("close", onGone);
    socket.removeListener("error", onGone);
  };
  socket.on("data", onData);
  socket.once("end", onEnd);
  socket.once("close", onGone);
  socket.once("error", onGone);
  if (!head.ended && size < options.maxBytes) socket.resume();
  return {
    socket,
    http: () => options.http ?? looksLikeHttp(head.chunks),
    take() {
      detach();
      socket.pause();
      return head;
    },
  };
}
