import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { Address } from "./address.js";
import { connectBackend } from "./connect-backend.js";
import { forwardConnection, type ClientHead, type ForwardedConnection } from "./forward-connection.js";
import { replayConnection } from "./replay-connection.js";

export interface ReplaySettings {
  /** At most this many client bytes are kept for a replay; past it, no replay. */
  limitBytes: number;
  /** Replays (and their connects) stop this long after the first replay. */
  budgetMs: number;
  retryDelayMs?: number;
  /** The backend a replay goes to: read again at every attempt. */
  current: () => Address | undefined;
}

export interface JoinUpstreamOptions {
  client: Socket;
  /** Already connected to `backend`. */
  upstream: Socket;
  backend: Address;
  head?: ClientHead;
  /** deploy.proxy.replay: resend the client's bytes when the backend closes before answering. */
  replay?: ReplaySettings;
  onResponseStart?: (chunk: Buffer) => void;
  /** Counts the connection under the backend it is on; returns the function that uncounts it. */
  track: (backend: Address, connection: ForwardedConnection) => () => void;
  /** Runs once, when both sides are closed. */
  onClosed?: (client: Socket) => void;
}

/** Joins a client to its backend connection, plainly or with replay, and keeps it counted where it is. */
export function joinUpstream(options: JoinUpstreamOptions): ForwardedConnection {
  const { client, replay } = options;
  let untrack = (): void => undefined;
  const onClosed = (): void => {
    untrack();
    options.onClosed?.(client);
  };
  if (replay === undefined) {
    const connection = forwardConnection(client, options.upstream, onClosed, options);
    untrack = options.track(options.backend, connection);
    return connection;
  }
  // The replay budget starts at the first replay, like the connect retry's at the first attempt.
  let deadline: number | undefined;
  const connection = replayConnection({
    client,
    upstream: options.upstream,
    backend: options.backend,
    limitBytes: replay.limitBytes,
    head: options.head,
    onResponseStart: options.onResponseStart,
    onClosed,
    onMoved: (_from, to) => {
      untrack();
      untrack = options.track(to, connection);
    },
    reconnect: async (signal) => {
      deadline ??= Date.now() + replay.budgetMs;
      await sleep(replay.retryDelayMs ?? 25);
      // A backend that accepts and closes every time never fails a connect: the budget bounds replays too.
      if (Date.now() >= deadline) throw new Error("replay budget spent");
      return connectBackend({
        backend: replay.current(),
        current: replay.current,
        budgetMs: Math.max(0, deadline - Date.now()),
        retryDelayMs: replay.retryDelayMs,
        signal,
      });
    },
  });
  untrack = options.track(options.backend, connection);
  return connection;
}
