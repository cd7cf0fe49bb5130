import { createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { formatAddress, type Address } from "./address.js";
import { connectBackend } from "./connect-backend.js";
import { forwardConnection, type ForwardedConnection } from "./forward-connection.js";
import { listenOn } from "./listen.js";
import { replayConnection } from "./replay-connection.js";

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

export interface DrainResult {
  /** True when every connection to the backend closed by itself before the timeout. */
  drained: boolean;
  /** Connections destroyed when the timeout passed. */
  closed: number;
}

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
  const open = new Map<string, Set<ForwardedConnection>>();
  const held = new Set<Held>();
  const connecting = new Set<{ abort: AbortController; retrying: boolean }>();
  const waiting = (): number => held.size + [...connecting].filter((c) => c.retrying).length;

  const track = (backend: Address, connection: ForwardedConnection): (() => void) => {
    const key = formatAddress(backend);
    const set = open.get(key) ?? new Set<ForwardedConnection>();
    open.set(key, set);
    set.add(connection);
    return () => {
      set.delete(connection);
      if (set.size === 0 && open.get(key) === set) open.delete(key);
    };
  };

  const join = (socket: Socket, upstream: Socket, backend: Address): void => {
    let untrack = (): void => undefined;
    const onClosed = (): void => untrack();
    if (!replay) {
      const connection = forwardConnection(socket, upstream, onClosed);
      untrack = track(backend, connection);
      return;
    }
    // The replay budget starts at the first replay, like the connect retry's at the first attempt.
    let deadline: number | undefined;
    const connection = replayConnection({
      client: socket,
      upstream,
      backend,
      limitBytes: replayLimitBytes,
      onClosed,
      onMoved: (_from, to) => {
        untrack();
        untrack = track(to, connection);
      },
      reconnect: async (signal) => {
        deadline ??= Date.now() + holdMs;
        await sleep(options.retryDelayMs ?? 25);
        // A backend that accepts and closes every time never fails a connect: the budget bounds replays too.
        if (Date.now() >= deadline) throw new Error("replay budget spent");
        return connectBackend({
          backend: current,
          current: () => current,
          budgetMs: Math.max(0, deadline - Date.now()),
          retryDelayMs: options.retryDelayMs,
          signal,
        });
      },
    });
    untrack = track(backend, connection);
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

  const count = (key: string): number => open.get(key)?.size ?? 0;

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
    connectionCounts: () => Object.fromEntries([...open].map(([key, set]) => [key, set.size])),
    heldCount: waiting,
    async drain(backend, timeoutMs) {
      const key = formatAddress(backend);
      const deadline = Date.now() + timeoutMs;
      while (count(key) > 0 && Date.now() < deadline)
        await sleep(Math.min(25, Math.max(1, deadline - Date.now())));
      const rest = [...(open.get(key) ?? [])];
      for (const connection of rest) connection.destroy();
      // Sockets report 'close' on a later tick; answer once the counts say so (bounded).
      const closing = Date.now() + 1000;
      while (count(key) > 0 && Date.now() < closing) await sleep(5);
      return { drained: rest.length === 0, closed: rest.length };
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const entry of held) entry.socket.destroy();
      for (const entry of connecting) entry.abort.abort();
      for (const set of open.values()) for (const connection of set) connection.destroy();
      await closed;
    },
  };
}
