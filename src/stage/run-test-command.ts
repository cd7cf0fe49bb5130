import { runUserCommand } from "../process/index.js";
import type { StageTestResult } from "../store/index.js";

/** What of a test's output is kept in stage.json: its tail. */
export const OUTPUT_TAIL_CHARS = 4096;

export interface RunTestCommandOptions {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Runs one functional test (the user's command, sh -c) and keeps its exit and output tail; never throws for a failing test. */
export async function runTestCommand(options: RunTestCommandOptions): Promise<StageTestResult> {
  let output = "";
  let truncated = false;
  const started = performance.now();
  const keep = (chunk: string): void => {
    output += chunk;
    if (output.length > OUTPUT_TAIL_CHARS * 2) {
      output = output.slice(-OUTPUT_TAIL_CHARS);
      truncated = true;
    }
  };
  try {
    const result = await runUserCommand(options.command, {
      cwd: options.cwd,
      env: options.env,
      timeoutMs: options.timeoutMs,
      allowFailure: true,
      onOutput: keep,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (output.length > OUTPUT_TAIL_CHARS) {
      output = output.slice(-OUTPUT_TAIL_CHARS);
      truncated = true;
    }
    return {
      command: options.command,
      exitCode: result.exitCode,
      signal: result.signal,
      timedOut: result.timedOut,
      durationMs: Math.round(result.durationMs),
      output,
      truncated,
      passed: result.exitCode === 0 && !result.timedOut,
    };
  } catch (error) {
    // The shell itself could not start: a failed test with the reason as its output.
    return {
      command: options.command,
      exitCode: null,
      signal: null,
      timedOut: false,
      durationMs: Math.round(performance.now() - started),
      output: error instanceof Error ? error.message : String(error),
      truncated: false,
      passed: false,
    };
  }
}
