import { createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { formatAddress, type Address } from "./address.js";
import { forwardConnection, type ForwardedConnection } from "./forward-connection.js";
import { listenOn } from "./listen.js";

export interface TcpProxyOptions {
  /** The app's public address; port 0 picks a free one (see `TcpProxy.listen`). */
  listen: Address;
  backend?: Address;
  /** How long a connection that arrives with no backend waits for one before it is closed. */
  holdMs?: number;
  /** At most this many connections wait for a backend; more are closed at once. */
  maxHeld?: number;
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
  /** Open connections per backend, keyed "host:port". */
  connectionCounts(): Record<string, number>;
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
  const open = new Map<string, Set<ForwardedConnection>>();
  const held = new Set<Held>();

  const forward = (socket: Socket, backend: Address): void => {
    const key = formatAddress(backend);
    const set = open.get(key) ?? new Set<ForwardedConnection>();
    open.set(key, set);
    const connection = forwardConnection(socket, backend, () => {
      set.delete(connection);
      if (set.size === 0 && open.get(key) === set) open.delete(key);
    });
    set.add(connection);
  };

  const hold = (socket: Socket): void => {
    if (held.size >= maxHeld) {
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
    setBackend(backend) {
      current = backend;
      if (backend !== undefined) release(backend);
    },
    connectionCounts: () => Object.fromEntries([...open].map(([key, set]) => [key, set.size])),
    heldCount: () => held.size,
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
      for (const set of open.values()) for (const connection of set) connection.destroy();
      await closed;
    },
  };
}
