import { runLoad, type LoadSummary } from "../load/index.js";
import type { StageFigures, StageLoadResult } from "../store/index.js";
import { startImpairProxy } from "./impair/index.js";
import { judgeLoad } from "./judge.js";
import type { StageStep } from "./plan-stage.js";
import type { StageFailure } from "../store/index.js";

/** Per request: an answer slower than this counts as an error of kind "timeout". */
export const REQUEST_TIMEOUT_MS = 5000;
/** Hard cap on requests of one closed-model run. */
const MAX_REQUESTS = 1_000_000;

export interface Address {
  host: string;
  port: number;
}

export function httpUrl(address: Address, path: string): string {
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `http://${host}:${address.port}${path}`;
}

/** The load of one step against `address`, through an impairment proxy for a network profile. */
export async function runLoadStep(options: {
  step: Extract<StageStep, { kind: "load" | "profile" }>;
  address: Address;
  signal?: AbortSignal;
}): Promise<{ result: StageLoadResult; failures: StageFailure[] }> {
  const { step } = options;
  const plan = step.load;
  const proxy =
    step.kind === "profile"
      ? await startImpairProxy({ target: options.address, impairment: step.impairment })
      : undefined;
  try {
    const target = proxy?.address ?? options.address;
    const maxRequests =
      plan.rate !== undefined ? Math.ceil((plan.rate * plan.durationMs) / 1000) : MAX_REQUESTS;
    const summary = await runLoad({
      url: httpUrl(target, plan.path),
      ...(plan.rate !== undefined ? { rate: plan.rate } : { concurrency: plan.concurrency ?? 1 }),
      durationMs: plan.durationMs,
      maxRequests,
      timeoutMs: REQUEST_TIMEOUT_MS,
      // The instance's address comes from the driver (a VM's forwarded port may not be loopback).
      allowRemote: true,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const figures = toFigures(summary);
    const failures = judgeLoad({ step: step.kind, name: step.name, figures, thresholds: plan.thresholds });
    const result: StageLoadResult = {
      name: step.name,
      kind: step.kind,
      path: plan.path,
      ...(plan.rate !== undefined ? { rate: plan.rate } : { concurrency: plan.concurrency ?? 1 }),
      durationMs: plan.durationMs,
      thresholds: { ...plan.thresholds },
      figures,
      ...(step.kind === "profile" ? { impairment: numericFields(step.impairment) } : {}),
      ...(proxy ? { proxy: numericFields(proxy.stats()) } : {}),
      passed: failures.length === 0,
    };
    return { result, failures };
  } finally {
    await proxy?.close();
  }
}

function toFigures(summary: LoadSummary): StageFigures {
  const round = (n: number): number => Math.round(n * 100) / 100;
  const { latency } = summary;
  return {
    requests: summary.requests,
    ok: summary.ok,
    non2xx: summary.non2xx,
    errors: summary.errors,
    errorKinds: { ...summary.errorKinds },
    errorRate: Math.round(summary.errorRate * 10_000) / 10_000,
    rate: round(summary.rate),
    durationMs: Math.round(summary.durationMs),
    latency: {
      p50: round(latency.p50),
      p90: round(latency.p90),
      p99: round(latency.p99),
      max: round(latency.max),
      mean: round(latency.mean),
    },
  };
}

function numericFields(value: object): Record<string, number> {
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === "number"),
  );
}
