import { parseDuration, type StageConfig } from "../config/index.js";
import {
  STAGE_RECORD_VERSION,
  type StageFailure,
  type StageLoadResult,
  type StageRecord,
  type StageTestResult,
} from "../store/index.js";
import { planStage, type StageStep } from "./plan-stage.js";
import { httpUrl, runLoadStep, type Address } from "./run-load-step.js";
import { runTestCommand } from "./run-test-command.js";

export interface RunStageOptions {
  app: string;
  release: number;
  stage: StageConfig;
  /** Where the staging instance serves. */
  address: Address;
  /** The functional tests' working directory: the release's unpacked files. */
  cwd: string;
  /** Environment for the tests (default process.env); SKIFF_URL, SKIFF_HOST, SKIFF_PORT are added. */
  env?: NodeJS.ProcessEnv;
  host?: string;
  signal?: AbortSignal;
  /** Called before each step runs (for progress events). */
  onStep?: (step: StageStep) => void;
}

/**
 * Runs a release's stage against a staging instance: every functional test, the load test, and
 * the load through each network profile, then the verdict with all figures. Runs every step even
 * after a failure, so the record shows the whole picture; stage.timeout bounds the lot.
 */
export async function runStage(options: RunStageOptions): Promise<StageRecord> {
  const started = new Date();
  const deadline = Date.now() + parseDuration(options.stage.timeout);
  const tests: StageTestResult[] = [];
  const loads: StageLoadResult[] = [];
  const failures: StageFailure[] = [];
  const env = {
    ...(options.env ?? process.env),
    SKIFF_URL: httpUrl(options.address, ""),
    SKIFF_HOST: options.address.host,
    SKIFF_PORT: String(options.address.port),
    SKIFF_APP: options.app,
    SKIFF_RELEASE: String(options.release),
  };
  for (const step of planStage(options.stage)) {
    options.signal?.throwIfAborted();
    const remaining = deadline - Date.now();
    const needs = step.kind === "test" ? 1 : step.load.durationMs;
    if (remaining < needs) {
      failures.push({
        step: "timeout",
        name: step.name,
        message: `stage timeout ${options.stage.timeout} reached before ${step.name}`,
      });
      continue;
    }
    options.onStep?.(step);
    if (step.kind === "test") {
      const result = await runTestCommand({
        command: step.command,
        cwd: options.cwd,
        env,
        timeoutMs: remaining,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      tests.push(result);
      if (!result.passed) failures.push(testFailure(step.name, result));
      continue;
    }
    const { result, failures: broken } = await runLoadStep({
      step,
      address: options.address,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    loads.push(result);
    failures.push(...broken);
  }
  return {
    version: STAGE_RECORD_VERSION,
    app: options.app,
    release: options.release,
    verdict: failures.length === 0 ? "passed" : "failed",
    summary: failures[0]?.message ?? "passed",
    started: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    ...(options.host ? { host: options.host } : {}),
    tests,
    loads,
    failures,
  };
}

function testFailure(name: string, result: StageTestResult): StageFailure {
  const how = result.timedOut
    ? "timed out"
    : result.exitCode === null
      ? `was killed (${result.signal ?? "did not start"})`
      : `exited ${result.exitCode}`;
  return {
    step: "test",
    name,
    threshold: "exit",
    ...(result.exitCode === null ? {} : { actual: result.exitCode }),
    message: `${name} (${result.command}) ${how}`,
  };
}
