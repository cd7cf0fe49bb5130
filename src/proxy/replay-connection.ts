import type { Socket } from "node:net";
import { formatAddress, type Address } from "./address.js";
import type { ConnectedBackend } from "./connect-backend.js";
import { forwardConnection, type ClientHead, type ForwardedConnection } from "./forward-connection.js";

export interface ReplayConnectionOptions {
  client: Socket;
  /** Already connected to `backend`. */
  upstream: Socket;
  backend: Address;
  /** The client's bytes kept for a replay; past this many the connection is forwarded without one. */
  limitBytes: number;
  /** Connects to the proxy's current backend within the retry budget; rejects when it runs out. */
  reconnect: (signal: AbortSignal) => Promise<ConnectedBackend>;
  /** The connection now counts under `backend` (after a replay reached another one). */
  onMoved: (from: Address, to: Address) => void;
  /** Runs once, when the connection is over. */
  onClosed: () => void;
  /** Read from the client before the join: sent first, and kept for a replay like later bytes. */
  head?: ClientHead;
  /** The first response chunk that is passed on to the client, once. */
  onResponseStart?: (chunk: Buffer) => void;
}

/**
 * Like forwardConnection, but until the backend sends its first byte the client's bytes are kept:
 * a backend that closes or fails before answering is replaced by the current one and the kept bytes
 * are sent again. Only safe for idempotent requests; off unless deploy.proxy.replay asks for it.
 */
export function replayConnection(options: ReplayConnectionOptions): ForwardedConnection {
  const { client } = options;
  let upstream: Socket | undefined = options.upstream;
  let backend = options.backend;
  let kept: Buffer[] = [...(options.head?.chunks ?? [])];
  let keptBytes = kept.reduce((sum, chunk) => sum + chunk.length, 0);
  let overflow = keptBytes > options.limitBytes;
  if (overflow) kept = [];
  let clientEnded = options.head?.ended ?? false;
  let forwarded: ForwardedConnection | undefined;
  const abort = new AbortController();
  let closed = false;
  const finish = (): void => {
    if (closed) return;
    closed = true;
    options.onClosed();
  };

  const onClientData = (chunk: Buffer): void => {
    if (!overflow && keptBytes + chunk.length <= options.limitBytes) {
      kept.push(chunk);
      keptBytes += chunk.length;
    } else {
      // Too large to replay: the bytes already sent cannot be taken back, so no replay at all.
      overflow = true;
      kept = [];
    }
    if (upstream !== undefined && !upstream.write(chunk)) {
      client.pause();
      upstream.once("drain", () => client.resume());
    }
  };
  const onClientEnd = (): void => {
    clientEnded = true;
    upstream?.end();
  };
  const onClientClose = (): void => {
    abort.abort();
    upstream?.destroy();
    finish();
  };
  const onClientError = (): void => undefined;

  const attach = (socket: Socket): void => {
    upstream = socket;
    socket.setNoDelay(true);
    const onData = (chunk: Buffer): void => {
      detach();
      commit(socket, chunk);
    };
    const onGone = (): void => {
      detach();
      socket.destroy();
      upstream = undefined;
      replay();
    };
    const onError = (): void => undefined;
    const detach = (): void => {
      socket.removeListener("data", onData);
      socket.removeListener("end", onGone);
      socket.removeListener("close", onGone);
      socket.removeListener("error", onError);
    };
    socket.on("data", onData);
    socket.once("end", onGone);
    socket.once("close", onGone);
    socket.on("error", onError);
  };

  // The first response byte arrived: from here on it is a plain forwarded connection.
  const commit = (socket: Socket, first: Buffer): void => {
    kept = [];
    client.removeListener("data", onClientData);
    client.removeListener("end", onClientEnd);
    client.removeListener("close", onClientClose);
    client.removeListener("error", onClientError);
    options.onResponseStart?.(first);
    client.write(first);
    forwarded = forwardConnection(client, socket, finish);
    if (client.isPaused()) client.resume();
  };

  const replay = (): void => {
    if (overflow || client.destroyed) {
      client.destroy();
      return;
    }
    client.pause();
    options.reconnect(abort.signal).then(
      (connected) => {
        if (client.destroyed) {
          connected.socket.destroy();
          return;
        }
        if (formatAddress(connected.backend) !== formatAddress(backend))
          options.onMoved(backend, connected.backend);
        backend = connected.backend;
        attach(connected.socket);
        for (const chunk of kept) connected.socket.write(chunk);
        if (clientEnded) connected.socket.end();
        client.resume();
      },
      () => client.destroy(),
    );
  };

  client.setNoDelay(true);
  client.on("data", onClientData);
  client.once("end", onClientEnd);
  client.once("close", onClientClose);
  client.on("error", onClientError);
  attach(options.upstream);
  for (const chunk of options.head?.chunks ?? []) options.upstream.write(chunk);
  if (clientEnded) options.upstream.end();
  // forward() paused the client while connecting; a 'data' listener alone does not resume it.
  client.resume();
  return {
    destroy: () => {
      if (forwarded !== undefined) return forwarded.destroy();
      client.destroy();
      upstream?.destroy();
    },
  };
}
