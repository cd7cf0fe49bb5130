import { parseDuration, type Thresholds } from "../config/index.js";
import type { StageFailure, StageFigures } from "../store/index.js";

/** The thresholds a load run broke, each with a one-line reason (pure). */
export function judgeLoad(options: {
  step: "load" | "profile";
  name: string;
  figures: StageFigures;
  thresholds: Thresholds;
}): StageFailure[] {
  const { figures, thresholds, step, name } = options;
  const where = step === "load" ? "in the load test" : `under ${name}`;
  const failures: StageFailure[] = [];
  if (figures.requests === 0) {
    failures.push({ step, name, message: `no request was sent ${where}` });
    return failures;
  }
  if (thresholds.error_rate !== undefined && figures.errorRate > thresholds.error_rate) {
    failures.push({
      step,
      name,
      threshold: "error_rate",
      limit: thresholds.error_rate,
      actual: figures.errorRate,
      message: `error rate ${percent(figures.errorRate)} > ${percent(thresholds.error_rate)} ${where}`,
    });
  }
  if (thresholds.p99 !== undefined) {
    const limit = parseDuration(thresholds.p99);
    if (figures.latency.p99 > limit) {
      failures.push({
        step,
        name,
        threshold: "p99",
        limit,
        actual: figures.latency.p99,
        message: `p99 ${Math.round(figures.latency.p99)}ms > ${thresholds.p99} ${where}`,
      });
    }
  }
  return failures;
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(rate < 0.1 ? 1 : 0)}%`;
}
