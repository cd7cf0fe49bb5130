/** What a host reads about one app at a sample: instances, and the front door's counters when it has them. */
export interface TrafficReading {
  app: string;
  /** Instances serving now (running or confirming). */
  instances: number;
  /** Connections open through the app's public address now. */
  open?: number;
  /** Totals since the front door started: HTTP requests, and errors (connect failures, 5xx, 503s it sent). */
  requests?: number;
  errors?: number;
  /** First-byte latency of the door's recent connections. */
  latencyMs?: { p50: number | null; p95: number | null };
}

export const SERIES_KEYS = [
  "requestsPerSecond",
  "errorRate",
  "p50Ms",
  "p95Ms",
  "instances",
  "openConnections",
] as const;

export type SeriesKey = (typeof SERIES_KEYS)[number];

export type TrafficPoint = Record<SeriesKey, number | null> & { time: number };

/**
 * One sample of an app from two readings `elapsedMs` apart: rates from the totals' deltas. A figure
 * the door does not give, the first reading, or a total that went down (the door restarted) is null.
 */
export function toTrafficPoint(
  time: number,
  reading: TrafficReading,
  previous: TrafficReading | undefined,
  elapsedMs: number,
): TrafficPoint {
  const requests = delta(reading.requests, previous?.requests);
  const errors = delta(reading.errors, previous?.errors);
  const seconds = elapsedMs / 1000;
  const fresh = requests !== null && requests > 0;
  return {
    time,
    requestsPerSecond: requests === null || seconds <= 0 ? null : round(requests / seconds),
    errorRate:
      errors === null || requests === null ? null : fresh ? round(Math.min(1, errors / requests)) : 0,
    // Latency of the door's recent connections: shown only when requests came in since the last sample.
    p50Ms: fresh ? (reading.latencyMs?.p50 ?? null) : null,
    p95Ms: fresh ? (reading.latencyMs?.p95 ?? null) : null,
    instances: reading.instances,
    openConnections: reading.open ?? null,
  };
}

function delta(now: number | undefined, before: number | undefined): number | null {
  if (now === undefined || before === undefined || now < before) return null;
  return now - before;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
