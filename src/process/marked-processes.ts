import { readdirSync, readFileSync } from "node:fs";

/** Carried in the environment of an unsandboxed user command and everything it starts. */
export const COMMAND_MARK_ENV = "SKIFF_COMMAND_MARK";

/**
 * The processes (other than this one) whose environment sets `name`, with its value. A best
 * effort: a process that cleared its environment, or runs as another user, is not found.
 */
export function findMarkedValues(name: string): Array<{ pid: number; value: string }> {
  const prefix = `${name}=`;
  const found: Array<{ pid: number; value: string }> = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, "latin1");
    } catch {
      continue; // gone, or not ours to read
    }
    const set = environ.split("\0").find((variable) => variable.startsWith(prefix));
    if (set !== undefined) found.push({ pid: Number(entry), value: set.slice(prefix.length) });
  }
  return found;
}

/** The pids of the processes (other than this one) whose environment holds `entry` (NAME=value). */
export function findMarked(entry: string): number[] {
  const [name, ...value] = entry.split("=");
  return findMarkedValues(name!)
    .filter((found) => found.value === value.join("="))
    .map((found) => found.pid);
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
