import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** Pids of live processes whose environment holds `entry` (NAME=value), seen from the host's /proc. */
export function processesWithEnv(entry: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      if (readFileSync(`/proc/${name}/environ`, "latin1").split("\0").includes(entry))
        found.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Waits until some process carries `entry` (present) or none does (gone); throws after `timeoutMs`. */
export async function waitForProcesses(
  entry: string,
  want: "present" | "gone",
  timeoutMs: number,
): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = processesWithEnv(entry);
    if ((want === "present") === pids.length > 0) return pids;
    if (Date.now() > deadline)
      throw new Error(
        `processes with ${entry} still ${want === "gone" ? "running" : "missing"}: ${pids.join(" ")}`,
      );
    await sleep(20);
  }
}

/** Pids of live processes whose working directory is `dir`. */
export function processesIn(dir: string): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return readlinkSync(`/proc/${name}/cwd`) === dir;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A process's command line, its arguments joined by spaces ("" once it is gone). */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

/**
 * Resolves once `child` has exited, also when it already has: `once(child, "exit")` would then wait
 * for an event that came and went, and a test awaiting it ends as "still pending" with nothing to run.
 */
export async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await once(child, "exit");
}
