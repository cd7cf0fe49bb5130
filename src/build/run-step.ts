import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { parseDuration } from "../config/index.js";
import { SkiffError } from "../errors/index.js";
import { runUserCommand, type RunResult } from "../process/index.js";
import { describeOutputForHint } from "./hint-lines.js";
import { OutputLines } from "./output-lines.js";
import type { BuildStepName, StepRecord } from "./summary-schema.js";
import type { BuildOutput, BuildStepEvent } from "./types.js";

export interface RunStepOptions {
  target: string;
  step: BuildStepName;
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** build.timeout from skiff.yml, e.g. "10m"; bounds the step, then its whole process group is killed. */
  timeout: string;
  /** The step's log file (all output, interleaved as it arrived). */
  logPath: string;
  signal?: AbortSignal;
  onOutput?: (line: BuildOutput) => void;
  onStep?: (event: BuildStepEvent) => void;
}

const GRACE_MS = 2000;

export interface StepOutcome {
  record: StepRecord;
  /** Set when the step failed, timed out or was cancelled: names target and step. */
  failure: SkiffError | undefined;
}

/** Runs one build or test step; the outcome is recorded whether it succeeded or not. */
export async function runStep(options: RunStepOptions): Promise<StepOutcome> {
  const { target, step, command } = options;
  const log = createWriteStream(options.logPath, { mode: 0o644 });
  const lines = new OutputLines((line, stream) => options.onOutput?.({ target, step, stream, line }));
  options.onStep?.({ target, step, phase: "start", command });
  let result: RunResult;
  try {
    result = await runUserCommand(command, {
      cwd: options.cwd,
      env: options.env,
      timeoutMs: parseDuration(options.timeout),
      graceMs: GRACE_MS,
      signal: options.signal,
      allowFailure: true,
      // A build step owns what it starts: nothing it leaves running outlives it.
      killGroupOnExit: true,
      onOutput: (chunk, stream) => {
        log.write(chunk);
        lines.push(chunk, stream);
      },
    });
  } finally {
    lines.flush();
    log.end();
    await finished(log);
  }
  const ok = result.exitCode === 0 && !result.timedOut && !result.aborted;
  const record: StepRecord = {
    step,
    command,
    durationMs: Math.round(result.durationMs),
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    logPath: options.logPath,
  };
  options.onStep?.({
    target,
    step,
    phase: "end",
    command,
    ok,
    durationMs: record.durationMs,
    exitCode: result.exitCode,
  });
  return { record, failure: ok ? undefined : describeFailure(options, result, lines) };
}

function describeFailure(options: RunStepOptions, result: RunResult, lines: OutputLines): SkiffError {
  const { target, step } = options;
  const data = { target, step, exitCode: result.exitCode, signal: result.signal, logPath: options.logPath };
  // The output was shown as it ran (a push, skiff build): the hint quotes errors, not what is just above.
  const output = describeOutputForHint({ ...lines.forHint(), shown: options.onOutput !== undefined });
  const hint = `${output}full log: ${options.logPath}`;
  if (result.timedOut) {
    return new SkiffError(
      "ERR_SKIFF_BUILD_TIMEOUT",
      `target ${target}: ${step} step timed out after ${options.timeout} and was killed`,
      {
        hint: `${hint}\nraise build.timeout in skiff.yml if the step needs longer`,
        data: { ...data, timedOut: true },
      },
    );
  }
  if (result.aborted) {
    return new SkiffError("ERR_SKIFF_BUILD_FAILED", `target ${target}: ${step} step was cancelled`, {
      hint,
      data: { ...data, aborted: true },
    });
  }
  const how = result.exitCode === null ? `killed by ${result.signal}` : `exit ${result.exitCode}`;
  const code = step === "test" ? "ERR_SKIFF_TEST_FAILED" : "ERR_SKIFF_BUILD_FAILED";
  return new SkiffError(code, `target ${target}: ${step} step failed (${how}): ${options.command}`, {
    hint,
    data,
  });
}
