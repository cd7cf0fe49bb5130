import type { Socket } from "node:net";
import { formatAddress, type Address } from "../address.js";
import { connectBackend } from "../connect-backend.js";
import { createConnectionTable, type DrainResult } from "../connection-table.js";
import { HttpError } from "../control-http.js";
import type { ClientHead } from "../forward-connection.js";
import { joinUpstream, type ReplaySettings } from "../join-upstream.js";
import { answerUnavailable, looksLikeHttp } from "./answer-client.js";
import type { AppSpec } from "./front-schema.js";
import { createHoldQueue } from "./hold-queue.js";
import { pickBackend } from "./pick-backend.js";
import { createRouteActivity } from "./route-activity.js";
import type { AppStatus, BackendStatus, FrontEvent } from "./status-schema.js";
import { createTrafficCounters } from "./traffic-counters.js";

const REPLAY_LIMIT_BYTES = 64 * 1024;

interface BackendEntry {
  id: string;
  address: Address;
  key: string;
  state: "ready" | "draining" | "removed";
  /** Connections being made to it: counted as load, so a burst spreads before any is open. */
  pending: number;
  connections: number;
  load: number;
}

export interface AcceptOptions {
  head?: ClientHead;
  /** The client speaks HTTP (the shared listener): a 503 rather than a reset when it cannot be served. */
  http?: boolean;
}

/** One app in the front door: its backends, held connections, counters and activity. */
export interface AppRoute {
  readonly app: string;
  spec(): AppSpec;
  update(spec: AppSpec): void;
  accept(socket: Socket, options?: AcceptOptions): void;
  drain(id: string, timeoutMs: number): Promise<DrainResult>;
  /** The agent could not start an instance: held connections are answered now. */
  wakeFailed(): number;
  status(): Omit<AppStatus, "publish" | "error">;
  close(): void;
}

export function createAppRoute(options: {
  app: string;
  spec: AppSpec;
  emit: (event: FrontEvent) => void;
}): AppRoute {
  const { app, emit } = options;
  let spec = options.spec;
  const backends = new Map<string, BackendEntry>();
  const table = createConnectionTable();
  const counters = createTrafficCounters();
  const activity = createRouteActivity({ app, emit, open: () => openCount() });
  const connecting = new Set<AbortController>();
  let turn = 0;
  let timedOut = 0;
  const at = (): string => new Date().toISOString();

  const openCount = (): number => connecting.size + Object.values(table.counts()).reduce((a, b) => a + b, 0);
  const refreshLoad = (entry: BackendEntry): void => {
    entry.load = table.count(entry.id) + entry.pending;
    if (entry.state === "removed" && entry.load === 0) backends.delete(entry.id);
  };
  const pick = (): BackendEntry | undefined => pickBackend(backends.values(), turn++);
  const byKey = (address: Address): BackendEntry | undefined => {
    const key = formatAddress(address);
    for (const entry of backends.values()) if (entry.key === key) return entry;
    return undefined;
  };

  const hold = createHoldQueue({
    limits: () => spec.scale,
    onWake: (held) => emit({ type: "wake", at: at(), app, held }),
    onAnswered: (how, why) => {
      counters.answered(how);
      if (why !== "timeout") return;
      // Held connections time out one by one; one event per batch.
      if (timedOut++ === 0)
        setImmediate(() => {
          emit({ type: "wake-timeout", at: at(), app, answered: timedOut });
          timedOut = 0;
        });
    },
  });

  const replay = (): ReplaySettings | undefined =>
    spec.replay
      ? { limitBytes: REPLAY_LIMIT_BYTES, budgetMs: spec.scale.wakeTimeoutMs, current: () => pick()?.address }
      : undefined;

  const connect = (
    socket: Socket,
    first: BackendEntry,
    head: ClientHead | undefined,
    http: boolean | undefined,
    acceptedAt: number,
  ): void => {
    socket.pause();
    const abort = new AbortController();
    const onClose = (): void => abort.abort();
    const onError = (): void => void socket.destroy();
    connecting.add(abort);
    first.pending += 1;
    first.load += 1;
    socket.once("close", onClose);
    socket.on("error", onError);
    const settle = (): void => {
      connecting.delete(abort);
      first.pending -= 1;
      refreshLoad(first);
      socket.removeListener("close", onClose);
      socket.removeListener("error", onError);
    };
    connectBackend({
      backend: first.address,
      current: () => pick()?.address,
      // A ready backend that refuses may be switching: a connection waits for one as long as a held one does.
      budgetMs: spec.scale.wakeTimeoutMs,
      signal: abort.signal,
    }).then(
      (connected) => {
        settle();
        if (socket.destroyed) return void connected.socket.destroy();
        const entry = byKey(connected.backend) ?? first;
        entry.connections += 1;
        joinUpstream({
          client: socket,
          upstream: connected.socket,
          backend: connected.backend,
          head,
          replay: replay(),
          onResponseStart: (chunk) => counters.responseStart(chunk, acceptedAt),
          track: (address, connection) => {
            const where = byKey(address) ?? entry;
            const untrack = table.track(where.id, connection);
            refreshLoad(where);
            activity.touch(where.id);
            return () => {
              untrack();
              refreshLoad(where);
              activity.touch(where.id);
            };
          },
          onClosed: (client) => counters.bytes(client.bytesRead, client.bytesWritten),
        });
      },
      () => {
        settle();
        if (socket.destroyed) return;
        counters.connectFailed();
        counters.answered(answerUnavailable(socket, http ?? looksLikeHttp(head?.chunks ?? [])));
      },
    );
  };

  const release = (): void => {
    if (hold.size() === 0 || pick() === undefined) return;
    const forwarded = new Map<string, number>();
    for (const { entry, head } of hold.takeAll()) {
      const backend = pick();
      if (backend === undefined) break;
      forwarded.set(backend.id, (forwarded.get(backend.id) ?? 0) + 1);
      connect(entry.client.socket, backend, head, entry.client.http(), entry.acceptedAt);
    }
    for (const [backend, count] of forwarded) emit({ type: "forwarded", at: at(), app, backend, count });
  };

  const update = (next: AppSpec): void => {
    spec = next;
    const wanted = new Set(next.backends.map((b) => b.id));
    for (const entry of backends.values()) {
      if (wanted.has(entry.id)) continue;
      entry.state = "removed";
      refreshLoad(entry);
    }
    for (const backend of next.backends) {
      const entry = backends.get(backend.id);
      const key = formatAddress(backend.address);
      if (entry === undefined) {
        backends.set(backend.id, { ...backend, key, pending: 0, connections: 0, load: 0 });
        continue;
      }
      Object.assign(entry, { address: backend.address, key, state: backend.state });
    }
    release();
  };
  update(spec);

  return {
    app,
    spec: () => spec,
    update,
    accept(socket, accept = {}) {
      const acceptedAt = performance.now();
      counters.connection();
      activity.touch(undefined);
      const backend = pick();
      if (backend !== undefined) connect(socket, backend, accept.head, accept.http, acceptedAt);
      else hold.hold(socket, { head: accept.head, http: accept.http, acceptedAt });
    },
    async drain(id, timeoutMs) {
      const entry = backends.get(id);
      if (entry === undefined) throw new HttpError(404, `${app} has no backend ${id}`);
      if (entry.state === "ready") entry.state = "draining";
      const result = await table.drain(id, timeoutMs);
      refreshLoad(entry);
      return result;
    },
    wakeFailed() {
      const answered = hold.answerAll("failed");
      emit({ type: "wake-failed", at: at(), app, answered });
      return answered;
    },
    status() {
      const list: BackendStatus[] = [...backends.values()].map((entry) => ({
        id: entry.id,
        address: entry.key,
        state: entry.state,
        open: table.count(entry.id),
        connections: entry.connections,
        lastActivity: activity.lastOf(entry.id),
      }));
      const open = openCount();
      return {
        app,
        hostname: spec.hostname,
        backends: list,
        held: hold.size(),
        open,
        lastActivity: activity.lastOf(undefined),
        idleSince: open + hold.size() === 0 ? activity.idleSince() : null,
        counters: counters.snapshot(),
        scale: spec.scale,
        replay: spec.replay,
      };
    },
    close() {
      hold.answerAll("closed");
      for (const abort of connecting) abort.abort();
      table.destroyAll();
      activity.close();
    },
  };
}
