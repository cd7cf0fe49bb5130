/** The master CLI's `show proc`: the current worker and how many reloads failed. Pure. */
export interface ProcState {
  masterPid: number | undefined;
  failedReloads: number;
  worker: number | undefined;
}

export function parseShowProc(text: string): ProcState {
  const lines = text.split("\n");
  const masterLine = lines.find((line) => /^\d+\s+master\s/.test(line));
  const failed = /\[failed:\s*(\d+)\]/.exec(masterLine ?? "")?.[1];
  const workersAt = lines.findIndex((line) => line.startsWith("# workers"));
  const workerLine =
    workersAt < 0 ? undefined : lines.slice(workersAt + 1).find((line) => /^\d+\s+worker\s/.test(line));
  const pid = (line: string | undefined): number | undefined => {
    const match = /^(\d+)/.exec(line ?? "");
    return match === null ? undefined : Number(match[1]);
  };
  return { masterPid: pid(masterLine), failedReloads: Number(failed ?? 0), worker: pid(workerLine) };
}
