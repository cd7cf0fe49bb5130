import { spawn } from "node:child_process";
import { SkiffError } from "../errors/index.js";
import { killGroupNow, terminateGroup } from "./terminate.js";
import { traceProcess } from "./trace.js";

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the whole process group after this many ms. */
  timeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL when stopping on timeout or abort. */
  graceMs?: number;
  signal?: AbortSignal;
  /** Bytes written to the child's stdin, then closed. */
  input?: string | Buffer;
  /** Called with each chunk of output as it arrives (stdout and stderr interleaved). */
  onOutput?: (chunk: string, stream: "stdout" | "stderr") => void;
  /** Resolve instead of throwing when the exit code is not 0. */
  allowFailure?: boolean;
  /** When the command exits, kill what it left running in its process group (a build step's daemons). */
  killGroupOnExit?: boolean;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
}

/** Runs `file` with `args` (never through a shell) in its own process group. */
export function runProcess(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return spawnAndWait(file, args, options);
}

/**
 * Runs one of the user's own commands (build, test) with `sh -c`: the one place a
 * shell string is allowed, because the string is the user's, not built from values.
 */
export function runUserCommand(command: string, options: RunOptions = {}): Promise<RunResult> {
  return spawnAndWait("/bin/sh", ["-c", command], options);
}

function spawnAndWait(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      // Own process group, so a timeout can kill everything the command started.
      detached: true,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let aborted = false;
    let stopping: Promise<void> | undefined;
    const stop = (): void => {
      if (child.pid !== undefined && !stopping) stopping = terminateGroup(child.pid, options.graceMs ?? 2000);
    };
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            stop();
          }, options.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    // stdio is "pipe" for both, so these streams exist.
    const childStdout = child.stdout!;
    const childStderr = child.stderr!;
    childStdout.setEncoding("utf8");
    childStderr.setEncoding("utf8");
    childStdout.on("data", (chunk: string) => {
      stdout += chunk;
      options.onOutput?.(chunk, "stdout");
    });
    childStderr.on("data", (chunk: string) => {
      stderr += chunk;
      options.onOutput?.(chunk, "stderr");
    });
    if (options.input !== undefined && child.stdin) child.stdin.end(options.input);
    child.on("error", (error) => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      reject(
        new SkiffError("ERR_SKIFF_SPAWN", `could not run ${file}: ${error.message}`, {
          hint: `check that ${file} is installed and on PATH`,
          cause: error,
        }),
      );
    });
    child.on("exit", () => {
      // Leftovers holding the output pipes open would otherwise keep "close" from ever firing.
      if (options.killGroupOnExit && child.pid !== undefined) killGroupNow(child.pid);
    });
    child.on("close", (exitCode, signal) => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      const result: RunResult = {
        exitCode,
        signal,
        stdout,
        stderr,
        timedOut,
        aborted,
        durationMs: performance.now() - started,
      };
      traceProcess(file, args, performance.timeOrigin + started, result.durationMs);
      if (exitCode !== 0 && !options.allowFailure && !timedOut && !aborted) {
        reject(
          new SkiffError("ERR_SKIFF_SPAWN", `${file} ${args.join(" ")} failed (exit ${exitCode ?? signal})`, {
            hint: stderr.trim().split("\n").slice(-3).join("\n") || undefined,
            data: { exitCode, signal },
          }),
        );
        return;
      }
      resolve(result);
    });
  });
}
