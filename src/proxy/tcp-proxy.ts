import { createServer, type Server, type Socket } from "node:net";
import { formatAddress, type Address } from "./address.js";
import { connectBackend } from "./connect-backend.js";
import { createConnectionTable, type DrainResult } from "./connection-table.js";
import { joinUpstream } from "./join-upstream.js";
import { listenOn } from "./listen.js";

export interface TcpProxyOptions {
  /** The app's public address; port 0 picks a free one (see `TcpProxy.listen`). */
  listen: Address;
  backend?: Address;
  /**
   * How long a connection that arrives with no backend waits for one before it is closed; also the
   * budget for retrying a backend that refuses the connection.
   */
  holdMs?: number;
  /** At most this many connections wait for a backend (held or retrying); more are closed at once. */
  maxHeld?: number;
  /** Pause between connect attempts to a backend that refused (default 25 ms). */
  retryDelayMs?: number;
  /**
   * Replay the client's bytes to the current backend when a backend closes before its first byte
   * (deploy.proxy.replay). Only for idempotent requests; off by default.
   */
  replay?: boolean;
  /** At most this many client bytes are kept for a replay (default 64 KiB); past it, no replay. */
  replayLimitBytes?: number;
}

export type { DrainResult };

export interface TcpProxy {
  /** The bound address (the real port when 0 was asked for). */
  readonly listen: Address;
  backend(): Address | undefined;
  /** New connections accepted after this call go to `backend`; open ones stay where they are. */
  setBackend(backend: Address | undefined): void;
  replay(): boolean;
  /** Applies to connections accepted after this call. */
  setReplay(replay: boolean): void;
  /** Open connections per backend, keyed "host:port". */
  connectionCounts(): Record<string, number>;
  /** Connections waiting for a backend: none is set, or the backend refused and they are retrying. */
  heldCount(): number;
  /** Waits until `backend` has no open connection or `timeoutMs` passes, then destroys the rest. */
  drain(backend: Address, timeoutMs: number): Promise<DrainResult>;
  close(): Promise<void>;
}

interface Held {
  socket: Socket;
  timer: NodeJS.Timeout;
}

/** A layer-4 proxy: one public address, one current backend, no protocol parsing. */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const holdMs = options.holdMs ?? 5000;
  const maxHeld = options.maxHeld ?? 1000;
  let current = options.backend;
  let replay = options.replay ?? false;
  const replayLimitBytes = options.replayLimitBytes ?? 64 * 1024;
  const table = createConnectionTable();
  const held = new Set<Held>();
  const connecting = new Set<{ abort: AbortController; retrying: boolean }>();
  const waiting = (): number => held.size + [...connecting].filter((c) => c.retrying).length;

  const join = (socket: Socket, upstream: Socket, backend: Address): void => {
    joinUpstream({
      client: socket,
      upstream,
      backend,
      track: (at, connection) => table.track(formatAddress(at), connection),
      replay: replay
        ? {
            limitBytes: replayLimitBytes,
            budgetMs: holdMs,
            retryDelayMs: options.retryDelayMs,
            current: () => current,
          }
        : undefined,
    });
  };

  // Connecting: the client's bytes wait in its paused socket, so a refused connect can be retried
  // against the backend that is current by then (the agent may have switched back).
  const forward = (socket: Socket, backend: Address): void => {
    socket.pause();
    const abort = new AbortController();
    const onError = (): void => {
      socket.destroy();
    };
    const onClose = (): void => abort.abort();
    const entry = { abort, retrying: false };
    connecting.add(entry);
    socket.on("error", onError);
    socket.once("close", onClose);
    connectBackend({
      backend,
      current: () => current,
      budgetMs: holdMs,
      retryDelayMs: options.retryDelayMs,
      signal: abort.signal,
      onRetry: () => {
        if (!entry.retrying && waiting() >= maxHeld) abort.abort();
        entry.retrying = true;
      },
    }).then(
      (connected) => {
        connecting.delete(entry);
        socket.removeListener("error", onError);
        socket.removeListener("close", onClose);
        if (socket.destroyed) connected.socket.destroy();
        else join(socket, connected.socket, connected.backend);
      },
      () => {
        connecting.delete(entry);
        socket.destroy();
      },
    );
  };

  const hold = (socket: Socket): void => {
    if (waiting() >= maxHeld) {
      socket.destroy();
      return;
    }
    const entry: Held = { socket, timer: setTimeout(() => socket.destroy(), holdMs) };
    held.add(entry);
    socket.on("error", () => socket.destroy());
    socket.once("close", () => {
      clearTimeout(entry.timer);
      held.delete(entry);
    });
  };

  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    // The backend is read once, at accept time: this is what makes a switch atomic for new connections.
    if (current === undefined) hold(socket);
    else forward(socket, current);
  });
  const bound = await listenOn(server, options.listen);
  // Accept errors (EMFILE) must not crash a long-lived proxy; the connection is lost, the proxy stays.
  server.on("error", () => undefined);

  const release = (backend: Address): void => {
    for (const entry of held) {
      clearTimeout(entry.timer);
      held.delete(entry);
      entry.socket.removeAllListeners("close");
      entry.socket.removeAllListeners("error");
      forward(entry.socket, backend);
    }
  };

  return {
    listen: bound,
    backend: () => current,
    replay: () => replay,
    setReplay(value) {
      replay = value;
    },
    setBackend(backend) {
      current = backend;
      if (backend !== undefined) release(backend);
    },
    connectionCounts: () => table.counts(),
    heldCount: waiting,
    drain: (backend, timeoutMs) => table.drain(formatAddress(backend), timeoutMs),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const entry of held) entry.socket.destroy();
      for (const entry of connecting) entry.abort.abort();
      table.destroyAll();
      await closed;
    },
  };
}
