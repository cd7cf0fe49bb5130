import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { SkiffError } from "../errors/index.js";
import { COMMAND_MARK_ENV, killMarked } from "./marked-processes.js";
import { bwrapArgs, probeSandbox, type SandboxOptions } from "./sandbox.js";
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
  /** false: the result's stdout and stderr stay empty (output goes to onOutput only: a build's may be huge). */
  keepOutput?: boolean;
}

export interface UserCommandOptions extends RunOptions {
  /** Run inside bubblewrap (src/process/sandbox.ts), or, where it cannot run, unsandboxed with a best-effort kill. */
  sandbox?: SandboxOptions;
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

/** After the command exited and its leftovers were killed, how long its output pipes may stay open. */
const PIPE_CLOSE_MS = 2000;

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
export async function runUserCommand(command: string, options: UserCommandOptions = {}): Promise<RunResult> {
  const { sandbox, ...rest } = options;
  const shell = ["/bin/sh", "-c", command];
  if (!sandbox) return spawnAndWait(shell[0]!, shell.slice(1), rest);
  const status = await probeSandbox();
  // Every process the command starts carries the mark: what escapes its process group (setsid
  // daemons without a PID namespace; a namespace whose bwrap was killed before it was set up) is
  // found by it in /proc.
  const mark = randomBytes(8).toString("hex");
  const env = { ...(rest.env ?? process.env), [COMMAND_MARK_ENV]: mark };
  const killStragglers = (): void => void killMarked(mark);
  if (status.kind === "bwrap") {
    // The host's TMPDIR does not exist inside: the sandbox has a /tmp of its own.
    const inside = { ...rest, env: { ...env, TMPDIR: "/tmp" } };
    return spawnAndWait(status.file, bwrapArgs(sandbox, shell), inside, killStragglers);
  }
  const temp =
    sandbox.tempDir === undefined
      ? {}
      : { TMPDIR: sandbox.tempDir, TMP: sandbox.tempDir, TEMP: sandbox.tempDir };
  return spawnAndWait(shell[0]!, shell.slice(1), { ...rest, env: { ...env, ...temp } }, killStragglers);
}

function spawnAndWait(
  file: string,
  args: readonly string[],
  options: RunOptions,
  killStragglers?: () => void,
): Promise<RunResult> {
  const started = performance.now();
  const keep = options.keepOutput ?? true;
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
      if (child.pid === undefined || stopping) return;
      stopping = terminateGroup(child.pid, options.graceMs ?? 2000).then(() => killStragglers?.());
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
    // Aborted while the command was being prepared (the sandbox probe): stopped at once.
    if (options.signal?.aborted) onAbort();
    // stdio is "pipe" for both, so these streams exist.
    const childStdout = child.stdout!;
    const childStderr = child.stderr!;
    childStdout.setEncoding("utf8");
    childStderr.setEncoding("utf8");
    childStdout.on("data", (chunk: string) => {
      if (keep) stdout += chunk;
      options.onOutput?.(chunk, "stdout");
    });
    childStderr.on("data", (chunk: string) => {
      if (keep) stderr += chunk;
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
      if (!options.killGroupOnExit || child.pid === undefined) return;
      killGroupNow(child.pid);
      killStragglers?.();
      // One that escaped both (it cleared its environment) must not hold the step open forever.
      setTimeout(() => {
        childStdout.destroy();
        childStderr.destroy();
      }, PIPE_CLOSE_MS).unref();
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
