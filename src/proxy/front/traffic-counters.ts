import type { Counters } from "./status-schema.js";

const RESERVOIR = 512;

/** One app's traffic figures, cheap to keep: integers and a ring of the latest first-byte times. */
export interface TrafficCounters {
  connection(): void;
  /** The backend's first chunk on a connection accepted at `acceptedAt` (performance.now()). */
  responseStart(chunk: Buffer, acceptedAt: number): void;
  bytes(read: number, written: number): void;
  connectFailed(): void;
  answered(how: "503" | "reset"): void;
  snapshot(): Counters;
}

/** The status code of an HTTP/1.x status line at the start of `chunk`, or undefined. */
export function responseStatus(chunk: Buffer): number | undefined {
  // "HTTP/1.1 200 " : bytes 0-7 the version, 9-11 the code.
  if (chunk.length < 12 || chunk[0] !== 0x48 || chunk.toString("latin1", 0, 7) !== "HTTP/1.")
    return undefined;
  const code = Number(chunk.toString("latin1", 9, 12));
  return Number.isInteger(code) && code >= 100 && code <= 999 ? code : undefined;
}

/** The p-quantile (0..1) of sorted values by nearest rank. */
function quantile(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 100) / 100;
}

export function createTrafficCounters(): TrafficCounters {
  const counts = { connections: 0, requests: 0, bytesIn: 0, bytesOut: 0 };
  const errors = { connect: 0, status5xx: 0, unavailable: 0, resets: 0 };
  const ring = new Float64Array(RESERVOIR);
  let samples = 0;
  return {
    connection: () => void (counts.connections += 1),
    responseStart(chunk, acceptedAt) {
      ring[samples % RESERVOIR] = performance.now() - acceptedAt;
      samples += 1;
      const status = responseStatus(chunk);
      if (status === undefined) return;
      counts.requests += 1;
      if (status >= 500 && status <= 599) errors.status5xx += 1;
    },
    bytes(read, written) {
      counts.bytesIn += read;
      counts.bytesOut += written;
    },
    connectFailed: () => void (errors.connect += 1),
    answered: (how) => void (how === "503" ? (errors.unavailable += 1) : (errors.resets += 1)),
    snapshot() {
      const recent = ring.slice(0, Math.min(samples, RESERVOIR)).sort();
      return {
        ...counts,
        errors: { ...errors },
        ttfbMs: { p50: quantile(recent, 0.5), p95: quantile(recent, 0.95), samples },
      };
    },
  };
}
