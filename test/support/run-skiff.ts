import { spawn } from "node:child_process";
import { SKIFF_BIN } from "./paths.js";

export interface SkiffRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (bin/skiff.js) as a user would. */
export function runSkiff(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string; bin?: string } = {},
): Promise<SkiffRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? SKIFF_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, SKIFF_LOG_LEVEL: "silent", ...options.env },
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    if (options.input !== undefined) child.stdin?.end(options.input);
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the CLI and throws with its output when it does not exit 0. */
export async function skiffOk(
  args: readonly string[],
  options: Parameters<typeof runSkiff>[1] = {},
): Promise<SkiffRun> {
  const run = await runSkiff(args, options);
  if (run.code !== 0) {
    throw new Error(
      `skiff ${args.join(" ")} exited ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`,
    );
  }
  return run;
}
