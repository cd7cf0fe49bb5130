import { readdirSync, readFileSync } from "node:fs";

/** Carried in the environment of an unsandboxed user command and everything it starts. */
export const COMMAND_MARK_ENV = "SKIFF_COMMAND_MARK";

/**
 * The pids of the processes (other than this one) whose environment holds `entry` (NAME=value).
 * A best effort: a process that cleared its environment, or runs as another user, is not found.
 */
export function findMarked(entry: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${name}/environ`, "latin1");
    } catch {
      continue; // gone, or not ours to read
    }
    if (environ.split("\0").includes(entry)) found.push(Number(name));
  }
  return found;
}

/**
 * SIGKILL to every process whose environment carries `mark`: what an unsandboxed build left
 * running outside its process group (setsid daemons). Returns how many were killed.
 */
export function killMarked(mark: string): number {
  let killed = 0;
  for (const pid of findMarked(`${COMMAND_MARK_ENV}=${mark}`)) {
    try {
      process.kill(pid, "SIGKILL");
      killed++;
    } catch {
      // exited meanwhile
    }
  }
  return killed;
}
