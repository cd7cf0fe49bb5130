import type { LatencySummary, LoadSample, LoadSummary } from "./types.js";

export interface WindowOptions {
  /** Samples sent at or after this (ms since the run started). */
  fromMs?: number;
  /** Samples sent before this. */
  toMs?: number;
}

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

export function summarizeLatency(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, v) => total + v, 0);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
    mean: sorted.length === 0 ? 0 : sum / sorted.length,
  };
}

/**
 * Figures over the samples sent in [fromMs, toMs): e.g. "steady" vs "during swap" windows.
 * Without a window, the duration is from the first send to the last completion.
 */
export function summarizeSamples(samples: readonly LoadSample[], window: WindowOptions = {}): LoadSummary {
  const from = window.fromMs ?? -Infinity;
  const to = window.toMs ?? Infinity;
  const inWindow = samples.filter((s) => s.t >= from && s.t < to);
  const errorKinds: Record<string, number> = {};
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  for (const sample of inWindow) {
    if (sample.ok) ok += 1;
    else if (sample.status !== undefined) non2xx += 1;
    else {
      errors += 1;
      const kind = sample.error ?? "other";
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    }
  }
  // A loop, not Math.min(...spread): runs can hold more samples than the call stack has room for.
  let first = Infinity;
  let last = -Infinity;
  for (const sample of inWindow) {
    first = Math.min(first, sample.t);
    last = Math.max(last, sample.t + sample.latencyMs);
  }
  const start = Number.isFinite(from) ? from : Number.isFinite(first) ? first : 0;
  const end = Number.isFinite(to) ? to : Math.max(last, start);
  const durationMs = Math.max(0, end - start);
  const requests = inWindow.length;
  return {
    requests,
    ok,
    non2xx,
    errors,
    errorKinds,
    errorRate: requests === 0 ? 0 : (non2xx + errors) / requests,
    latency: summarizeLatency(inWindow.filter((s) => s.status !== undefined).map((s) => s.latencyMs)),
    rate: durationMs === 0 ? 0 : (requests * 1000) / durationMs,
    durationMs,
  };
}
