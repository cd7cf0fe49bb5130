import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** argv joined by spaces. */
  command: string;
  cwd: string;
  /** Kernel start time (clock ticks since boot): a pid reused since is a different process. */
  startTime: string;
  /** Its environment carries `mark` (given to listProcesses). */
  marked: boolean;
}

function read(pid: string, name: string): string {
  try {
    return readFileSync(`/proc/${pid}/${name}`, "utf8");
  } catch {
    return "";
  }
}

/** Every live (not zombie) process of the machine but this one, from /proc. */
export function listProcesses(mark?: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const stat = read(pid, "stat");
    if (stat === "") continue;
    // Fields after the command name (which may hold spaces and parentheses).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") continue;
    let cwd = "";
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      // gone, or a kernel thread
    }
    found.push({
      pid: Number(pid),
      ppid: Number(fields[1]),
      command: read(pid, "cmdline").split("\0").join(" ").trim(),
      cwd,
      startTime: fields[19] ?? "",
      marked: mark !== undefined && read(pid, "environ").split("\0").includes(mark),
    });
  }
  return found;
}

/** The processes below `pid` in the process tree (children, their children …). */
export function descendantsOf(pid: number, table: ProcessInfo[]): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const children = table.filter((p) => frontier.includes(p.ppid));
    out.push(...children);
    frontier = children.map((p) => p.pid);
  }
  return out;
}

/** Whether `pid` still names the process that started at `startTime`. */
export function isSameProcess(pid: number, startTime: string): boolean {
  const stat = read(String(pid), "stat");
  return stat !== "" && stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] === startTime;
}
