import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { traceProcess } from "../process/index.js";
import { redactUrl } from "./redact.js";
import { gitArguments, gitEnvironment } from "./run-git.js";

export interface GitExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Its raw stdout bytes (a blob's bytes are not text); empty when the caller reads stdout itself. */
  stdout: Buffer;
  /** The last 4,000 characters of stderr, credentials in URLs hidden. */
  stderr: string;
}

export interface GitChild {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when git exits (rejects only when it could not be started). */
  done: Promise<GitExit>;
}

export interface SpawnGitOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Aborting kills git. */
  signal?: AbortSignal;
  /** false: the caller reads `child.stdout` (a stream it answers with, a parser); default: kept for `done`. */
  collectStdout?: boolean;
}

/**
 * Starts git with open pipes, for a conversation (update-ref --stdin, cat-file --batch-command),
 * streamed output (a blob, an upload-pack answer) or byte-exact output; run-git's runProcess
 * writes stdin once and decodes stdout as text. Every such git is traced (SKIFF_TRACE_PROCESSES).
 */
export function spawnGit(args: readonly string[], options: SpawnGitOptions): GitChild {
  const startedAt = Date.now();
  const child = spawn("git", gitArguments(args), {
    cwd: options.cwd,
    env: gitEnvironment(options.env),
    stdio: ["pipe", "pipe", "pipe"],
  });
  const kill = (): void => void child.kill("SIGKILL");
  options.signal?.addEventListener("abort", kill, { once: true });
  const chunks: Buffer[] = [];
  let stderr = "";
  if (options.collectStdout !== false) child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  // A git that exits before reading all its input must not crash skiff with EPIPE.
  child.stdin.on("error", () => undefined);
  const done = new Promise<GitExit>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (exitCode, signal) => {
      options.signal?.removeEventListener("abort", kill);
      traceProcess("git", args, startedAt, Date.now() - startedAt);
      resolve({ exitCode, signal, stdout: Buffer.concat(chunks), stderr: redactUrl(stderr) });
    });
  });
  return { child, done };
}
