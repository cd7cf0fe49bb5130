import { readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (user + system, ms) used so far by `pid` and every live descendant of it; 0 where /proc has nothing. */
export function processTreeCpuMs(pid: number): number {
  let total = 0;
  const seen = new Set<number>();
  const visit = (id: number): void => {
    if (seen.has(id)) return;
    seen.add(id);
    try {
      const stat = readFileSync(`/proc/${id}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    } catch {
      return;
    }
    for (const child of childrenOf(id)) visit(child);
  };
  visit(pid);
  return total;
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

export interface TreeMemory {
  /** Resident pages, shared ones counted in full in every process (what ps shows). */
  rssMiB: number;
  /** Proportional: a page shared by n processes counts 1/n (node's own code is shared with the agent's node). */
  pssMiB: number;
  /** Private heap and stacks. */
  anonMiB: number;
}

/** Memory of `pid` and every live descendant, from /proc/PID/smaps_rollup. */
export function processTreeMemory(pid: number): TreeMemory {
  const total = { rssMiB: 0, pssMiB: 0, anonMiB: 0 };
  const seen = new Set<number>();
  const visit = (id: number): void => {
    if (seen.has(id)) return;
    seen.add(id);
    try {
      const rollup = readFileSync(`/proc/${id}/smaps_rollup`, "utf8");
      const kib = (key: string): number =>
        Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(rollup)?.[1] ?? 0);
      total.rssMiB += kib("Rss") / 1024;
      total.pssMiB += kib("Pss") / 1024;
      total.anonMiB += kib("Anonymous") / 1024;
    } catch {
      return;
    }
    for (const child of childrenOf(id)) visit(child);
  };
  visit(pid);
  return total;
}
