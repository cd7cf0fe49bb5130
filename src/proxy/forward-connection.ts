import type { Socket } from "node:net";

/** One client connection joined to one backend connection. */
export interface ForwardedConnection {
  /** Closes both sides at once (drain timeout, proxy stop). */
  destroy(): void;
}

/** What was read from a client before it was joined to a backend (a held connection, a routed request head). */
export interface ClientHead {
  chunks: Buffer[];
  /** The client half-closed before the join: its read side has ended. */
  ended: boolean;
}

export interface ForwardOptions {
  /** Sent to the backend first. */
  head?: ClientHead;
  /** The backend's first chunk, once (counters: time to first byte, an HTTP status line). */
  onResponseStart?: (chunk: Buffer) => void;
}

/**
 * Joins `client` to `upstream` (already connected to the backend), byte for byte in both directions.
 * Half-close passes through (both sockets allow half-open); an error on either side closes both.
 * `onClosed` runs once, when both sockets are closed.
 */
export function forwardConnection(
  client: Socket,
  upstream: Socket,
  onClosed: () => void,
  options: ForwardOptions = {},
): ForwardedConnection {
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  let open = 2;
  const settle = (): void => {
    open -= 1;
    if (open === 0) onClosed();
  };
  client.once("close", settle);
  upstream.once("close", settle);
  // An 'error' is always followed by 'close' with hadError; listening here keeps the process alive.
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
  client.once("close", (hadError) => (hadError ? upstream.destroy() : finishPeer(upstream)));
  upstream.once("close", (hadError) => (hadError ? client.destroy() : finishPeer(client)));
  if (options.onResponseStart !== undefined) upstream.once("data", options.onResponseStart);
  const head = options.head;
  for (const chunk of head?.chunks ?? []) upstream.write(chunk);
  // pipe() ends the other side's write half when one side's read half ends: that is the half-close.
  if (head?.ended === true) upstream.end();
  else client.pipe(upstream);
  upstream.pipe(client);
  return {
    destroy: () => {
      client.destroy();
      upstream.destroy();
    },
  };
}

/** The other side closed cleanly: flush what is queued for this side, then close it. */
function finishPeer(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableFinished) {
    socket.destroy();
    return;
  }
  socket.once("finish", () => socket.destroy());
  socket.end();
}
