import { SkiffError } from "../errors/index.js";
import { runProcess, type RunResult } from "../process/index.js";
import { redactUrl } from "./redact.js";

export interface GitOptions {
  cwd?: string;
  input?: string | Buffer;
  signal?: AbortSignal;
  timeoutMs?: number;
  allowFailure?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Identity for commits skiff makes, so a host without git config can still commit. */
const IDENTITY = ["-c", "user.name=skiff", "-c", "user.email=skiff@localhost"];

/** The environment every git process runs with: the caller's additions, never a prompt, C locale. */
export function gitEnvironment(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...extra,
    // Never wait on a password prompt: a missing credential is an error, not a hang.
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "/bin/false",
    LC_ALL: "C",
  };
}

/** git's argv with skiff's commit identity in front. */
export function gitArguments(args: readonly string[]): string[] {
  return [...IDENTITY, ...args];
}

/** Runs git with an argument array. Errors carry the command with any credentials in URLs hidden. */
export async function git(args: readonly string[], options: GitOptions = {}): Promise<RunResult> {
  const result = await runProcess("git", gitArguments(args), {
    cwd: options.cwd,
    env: gitEnvironment(options.env),
    input: options.input,
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 120_000,
    allowFailure: true,
  });
  if (result.exitCode !== 0 && !options.allowFailure) {
    const shown = args.map(redactUrl).join(" ");
    const stderr = redactUrl(result.stderr.trim()).split("\n").slice(-4).join("\n");
    throw new SkiffError("ERR_SKIFF_GIT", `git ${shown} failed: ${stderr || `exit ${result.exitCode}`}`, {
      hint: "check that the repository exists and that you may read (and push to) it",
      data: { exitCode: result.exitCode },
    });
  }
  return result;
}

/** git with stdout trimmed. */
export async function gitOutput(args: readonly string[], options: GitOptions = {}): Promise<string> {
  return (await git(args, options)).stdout.trim();
}
