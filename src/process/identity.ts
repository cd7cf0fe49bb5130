import { readFileSync } from "node:fs";

/**
 * The kernel's start time of a process (field 22 of /proc/PID/stat, in clock ticks).
 * Stored beside a pid so that a restarted agent never adopts an unrelated process that reused the pid.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = fields[0];
    if (state === "Z" || state === "X") return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}

/** True when `pid` runs and is the same process that was recorded with `startTime`. */
export function isSameProcess(pid: number, startTime: string | undefined): boolean {
  const now = processStartTime(pid);
  return now !== undefined && (startTime === undefined || now === startTime);
}
