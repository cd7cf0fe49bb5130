/** One request of a load run. */
export interface LoadSample {
  /** When the request was sent, in ms since the run started (`LoadResult.startedAt`). */
  t: number;
  /** Until the whole response was read, or until the error. */
  latencyMs: number;
  /** A 2xx response was read completely. */
  ok: boolean;
  status?: number;
  /** The connection error's kind: ECONNREFUSED, ECONNRESET, EPIPE, timeout, other… */
  error?: string;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Figures over all samples or over one time window of a run. */
export interface LoadSummary {
  requests: number;
  /** 2xx responses. */
  ok: number;
  non2xx: number;
  /** Requests that got no HTTP response at all. */
  errors: number;
  errorKinds: Record<string, number>;
  /** (non2xx + errors) / requests; 0 for no requests. */
  errorRate: number;
  /** Over requests that got an HTTP response (2xx or not), in ms; all 0 when there were none. */
  latency: LatencySummary;
  /** Requests per second over the window. */
  rate: number;
  durationMs: number;
}

export interface LoadOptions {
  /** An http:// URL on a loopback address (127.0.0.0/8, ::1, localhost) unless `allowRemote`. */
  url: string;
  /** Open model: this many requests per second at a constant pace, whatever the answers. */
  rate?: number;
  /** Closed model: this many clients, each sending its next request when the last one finished. */
  concurrency?: number;
  /** No request is sent after this. */
  durationMs: number;
  /** No more requests than this in total. */
  maxRequests: number;
  /** Per request, until the whole response is read (default 5000). */
  timeoutMs?: number;
  /** Stops sending; requests in flight are abandoned and not counted. */
  signal?: AbortSignal;
  method?: "GET" | "HEAD";
  /** The Host header instead of the URL's, e.g. an app's deploy.hostname on the front door's shared listener. */
  host?: string;
  /** Reuse connections (default false: each request opens a new connection, as new clients would). */
  keepAlive?: boolean;
  /** Open model only: at most this many requests in flight; the rest are counted as `skipped` (default 1000). */
  maxInFlight?: number;
  allowRemote?: boolean;
  onSample?: (sample: LoadSample) => void;
}

export interface LoadResult extends LoadSummary {
  /** Date.now() when the run started; a sample was sent at startedAt + t. */
  startedAt: number;
  /** Open model: requests not sent because `maxInFlight` were still waiting. */
  skipped: number;
  samples: LoadSample[];
}
