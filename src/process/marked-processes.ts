import { readdirSync, readFileSync } from "node:fs";

/** Carried in the environment of an unsandboxed user command and everything it starts. */
export const COMMAND_MARK_ENV = "SKIFF_COMMAND_MARK";

/**
 * SIGKILL to every process whose environment carries `mark`: what an unsandboxed build left
 * running outside its process group (setsid daemons). A best effort: a process that cleared its
 * environment, or runs as another user, is not found. Returns how many were killed.
 */
export function killMarked(mark: string): number {
  const needle = `${COMMAND_MARK_ENV}=${mark}`;
  let killed = 0;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${name}/environ`, "latin1");
    } catch {
      continue; // gone, or not ours to read
    }
    if (!environ.split("\0").includes(needle)) continue;
    try {
      process.kill(Number(name), "SIGKILL");
      killed++;
    } catch {
      // exited meanwhile
    }
  }
  return killed;
}
