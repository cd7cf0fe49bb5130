import { setTimeout as sleep } from "node:timers/promises";
import type { ForwardedConnection } from "./forward-connection.js";

export interface DrainResult {
  /** True when every connection to the backend closed by itself before the timeout. */
  drained: boolean;
  /** Connections destroyed when the timeout passed. */
  closed: number;
}

/** The open forwarded connections of a proxy, grouped by backend key ("host:port" or an id). */
export interface ConnectionTable {
  /** Counts `connection` under `key` until the returned function is called. */
  track(key: string, connection: ForwardedConnection): () => void;
  count(key: string): number;
  /** Open connections per key (keys with none are left out). */
  counts(): Record<string, number>;
  /** Waits until `key` has no open connection or `timeoutMs` passes, then destroys the rest. */
  drain(key: string, timeoutMs: number): Promise<DrainResult>;
  destroyAll(): void;
}

export function createConnectionTable(): ConnectionTable {
  const open = new Map<string, Set<ForwardedConnection>>();
  const count = (key: string): number => open.get(key)?.size ?? 0;
  return {
    track(key, connection) {
      const set = open.get(key) ?? new Set<ForwardedConnection>();
      open.set(key, set);
      set.add(connection);
      return () => {
        set.delete(connection);
        if (set.size === 0 && open.get(key) === set) open.delete(key);
      };
    },
    count,
    counts: () => Object.fromEntries([...open].map(([key, set]) => [key, set.size])),
    async drain(key, timeoutMs) {
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
    destroyAll() {
      for (const set of open.values()) for (const connection of [...set]) connection.destroy();
    },
  };
}
