import { z } from "zod";

/** What the front door reports: GET /status, GET /apps/:app and the events of GET /events. */

export const TtfbSchema = z.object({
  /** Time from accepting a client to the backend's first byte, over the most recent connections. */
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  samples: z.number().int(),
  /**
   * With HAProxy: its average first-byte time over the last 1024 responses on the shared listener
   * (HAProxy keeps no percentiles; p50/p95 are then of the connections the door carried itself).
   */
  avgMs: z.number().nullable().optional(),
});

export const CountersSchema = z.object({
  /** Client connections accepted (forwarded, held, or answered by the door). */
  connections: z.number().int(),
  /** HTTP responses seen: the first of each connection; with HAProxy on the shared listener, every one. */
  requests: z.number().int(),
  bytesIn: z.number().int(),
  bytesOut: z.number().int(),
  errors: z.object({
    /** Connections no backend would accept within the budget. */
    connect: z.number().int(),
    /** Responses with a 5xx status line from a backend. */
    status5xx: z.number().int(),
    /** 503s the door answered itself (wake timeout, wake failed, too many held). */
    unavailable: z.number().int(),
    /** Connections the door reset (the same cases, when the client did not speak HTTP). */
    resets: z.number().int(),
  }),
  ttfbMs: TtfbSchema,
});

export const BackendStatusSchema = z.object({
  id: z.string(),
  address: z.string(),
  /** removed: no longer in the desired state, shown until its last connection closes. */
  state: z.enum(["ready", "draining", "removed"]),
  open: z.number().int(),
  connections: z.number().int(),
  /** The last connection opened or closed here (ISO time); null before the first. */
  lastActivity: z.string().nullable(),
});

export const AppStatusSchema = z.object({
  app: z.string(),
  /** The bound public address (the real port when 0 was asked for). */
  publish: z.string().nullable(),
  hostname: z.string().nullable(),
  backends: z.array(BackendStatusSchema),
  held: z.number().int(),
  open: z.number().int(),
  lastActivity: z.string().nullable(),
  /** Since when the app has had no open or held connection (ISO); null while it has some. */
  idleSince: z.string().nullable(),
  counters: CountersSchema,
  scale: z.object({ min: z.number(), wakeTimeoutMs: z.number(), maxHeld: z.number() }),
  replay: z.boolean(),
  /** Why the app's public address is not served (its port was taken when the door restarted). */
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).optional(),
});

export const FrontStatusSchema = z.object({
  pid: z.number().int(),
  startedAt: z.string(),
  engine: z.object({
    name: z.enum(["node", "haproxy"]),
    /** Why the node data path runs although HAProxy was asked for (auto), e.g. haproxy not installed. */
    fallback: z.string().optional(),
    version: z.string().optional(),
  }),
  front: z.string().nullable(),
  frontIndex: z.boolean(),
  apps: z.record(z.string(), AppStatusSchema),
});

export const FrontEventSchema = z.discriminatedUnion("type", [
  /** The first event of every stream: where each app stands now (a reconnecting watcher catches up). */
  z.object({
    type: z.literal("state"),
    at: z.string(),
    apps: z.record(
      z.string(),
      z.object({ held: z.number().int(), open: z.number().int(), lastActivity: z.string().nullable() }),
    ),
  }),
  /** No ready backend and `held` connections wait: start instances (more than one for a burst). */
  z.object({ type: z.literal("wake"), at: z.string(), app: z.string(), held: z.number().int() }),
  z.object({ type: z.literal("wake-timeout"), at: z.string(), app: z.string(), answered: z.number().int() }),
  /**
   * The engine's own process (HAProxy) died and the door started it again: every app is served again.
   * Sent again to every new watcher until reported (DELETE /restarts/<id>); `id` from doors that keep them.
   */
  z.object({
    type: z.literal("engine-restarted"),
    at: z.string(),
    engine: z.string(),
    pid: z.number().int(),
    previous: z.number().int(),
    id: z.string().optional(),
  }),
  /** This door replaced one that died (its record named a dead process); sent like engine-restarted. */
  z.object({
    type: z.literal("door-restarted"),
    at: z.string(),
    id: z.string(),
    engine: z.string(),
    pid: z.number().int(),
    previous: z.number().int(),
  }),
  z.object({ type: z.literal("wake-failed"), at: z.string(), app: z.string(), answered: z.number().int() }),
  /** Held connections went to a backend that became ready. */
  z.object({
    type: z.literal("forwarded"),
    at: z.string(),
    app: z.string(),
    backend: z.string(),
    count: z.number().int(),
  }),
  /** Client traffic (at most one a second per app): connections open now, the last one's time. */
  z.object({
    type: z.literal("activity"),
    at: z.string(),
    app: z.string(),
    open: z.number().int(),
    lastActivity: z.string().nullable(),
  }),
]);

export type Counters = z.infer<typeof CountersSchema>;
export type BackendStatus = z.infer<typeof BackendStatusSchema>;
export type AppStatus = z.infer<typeof AppStatusSchema>;
export type FrontStatus = z.infer<typeof FrontStatusSchema>;
export type FrontEvent = z.infer<typeof FrontEventSchema>;
