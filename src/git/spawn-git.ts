import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { traceProcess } from "../process/index.js";
import { redactUrl } from "./redact.js";
import { gitArguments, gitEnvironment } from "./run-git.js";

export interface GitChild {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when git exits, with its raw stdout bytes (a blob's bytes are not text). */
  done: Promise<{ exitCode: number | null; stdout: Buffer; stderr: string }>;
}

/**
 * Starts git with open pipes, for a conversation (update-ref --stdin) or byte-exact output
 * (cat-file --batch); run-git's runProcess writes stdin once and decodes stdout as text.
 */
export function spawnGit(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal },
): GitChild {
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
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // A git that exits before reading all its input must not crash skiff with EPIPE.
  child.stdin.on("error", () => undefined);
  const done = new Promise<{ exitCode: number | null; stdout: Buffer; stderr: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (exitCode) => {
      options.signal?.removeEventListener("abort", kill);
      traceProcess("git", args, startedAt, Date.now() - startedAt);
      resolve({ exitCode, stdout: Buffer.concat(chunks), stderr: redactUrl(stderr) });
    });
  });
  return { child, done };
}
