import { SKIFF_BIN } from "./run-dir.js";
import { runCommand, type CommandResult } from "./run-command.js";

/** The skiff CLI (bin/skiff.js) as an operator runs it; never rejects. */
export function runSkiff(
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
): Promise<CommandResult> {
  return runCommand(process.execPath, [SKIFF_BIN, ...args], {
    env: { ...options.env, SKIFF_LOG_LEVEL: "silent" },
    cwd: options.cwd,
    timeoutMs: options.timeoutMs ?? 30_000,
  });
}

/** Runs the CLI with --json and parses stdout; undefined when it failed or printed no JSON. */
export async function skiffJson<T>(
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<T | undefined> {
  const run = await runSkiff([...args, "--json"], options);
  if (run.code !== 0) return undefined;
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    return undefined;
  }
}
