import type { StageLoadResult, StageRecord, StageTestResult } from "../store/index.js";

/** One line per test and load, then the verdict: what a pusher reads in `remote:` lines. */
export function describeStageRecord(record: StageRecord): string[] {
  return [
    ...record.tests.map(describeTest),
    ...record.loads.map(describeLoad),
    record.verdict === "passed" ? "verdict: passed" : `verdict: failed: ${record.summary}`,
  ];
}

function describeTest(test: StageTestResult): string {
  const how = test.passed
    ? "ok"
    : test.timedOut
      ? "timed out"
      : `failed (exit ${test.exitCode ?? test.signal ?? "?"})`;
  return `test ${test.command}: ${how} in ${seconds(test.durationMs)}`;
}

function describeLoad(load: StageLoadResult): string {
  const { figures, thresholds } = load;
  const limits = [
    thresholds.p99 === undefined ? undefined : `p99 ≤ ${thresholds.p99}`,
    thresholds.error_rate === undefined ? undefined : `errors ≤ ${percent(thresholds.error_rate)}`,
  ].filter((limit) => limit !== undefined);
  return (
    `${load.name}: ${figures.requests} requests, ${percent(figures.errorRate)} errors, ` +
    `p50 ${Math.round(figures.latency.p50)}ms, p99 ${Math.round(figures.latency.p99)}ms` +
    `${limits.length > 0 ? ` (${limits.join(", ")})` : ""}: ${load.passed ? "ok" : "FAILED"}`
  );
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
