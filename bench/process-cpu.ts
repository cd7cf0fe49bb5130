import { closeSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";

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

/** The pids of `pid` and its live descendants. */
export function processTree(pid: number): number[] {
  const seen = new Set<number>();
  const visit = (id: number): void => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const child of childrenOf(id)) visit(child);
  };
  visit(pid);
  return [...seen];
}

const PAGE_BYTES = 4096;
const PRESENT = 1n << 63n;
const PFN_MASK = (1n << 55n) - 1n;

/**
 * Resident memory of a set of processes together, each physical page counted once: the page frames
 * their mappings hold, from /proc/PID/pagemap (root sees frame numbers). Node's own code, shared by
 * the door and the agent, counts once here and twice in a sum of RSS. Undefined without root.
 */
export function uniqueResidentMiB(pids: readonly number[]): number | undefined {
  const frames = new Set<bigint>();
  for (const pid of pids) {
    let maps: string;
    try {
      maps = readFileSync(`/proc/${pid}/maps`, "utf8");
    } catch {
      continue;
    }
    let fd: number | undefined;
    try {
      fd = openSync(`/proc/${pid}/pagemap`, "r");
      for (const line of maps.split("\n")) {
        const range = /^([0-9a-f]+)-([0-9a-f]+)/.exec(line);
        if (range === null || line.endsWith("[vsyscall]")) continue;
        const first = Number.parseInt(range[1]!, 16) / PAGE_BYTES;
        const pages = (Number.parseInt(range[2]!, 16) - Number.parseInt(range[1]!, 16)) / PAGE_BYTES;
        const buffer = Buffer.alloc(pages * 8);
        const read = readSync(fd, buffer, 0, buffer.length, first * 8);
        for (let offset = 0; offset + 8 <= read; offset += 8) {
          const entry = buffer.readBigUInt64LE(offset);
          if ((entry & PRESENT) === 0n) continue;
          const frame = entry & PFN_MASK;
          if (frame === 0n) return undefined; // frame numbers hidden: not root
          frames.add(frame);
        }
      }
    } catch {
      continue;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return (frames.size * PAGE_BYTES) / 1048576;
}
