import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { ExitRecord } from "./types.js";

/** systemd's Restart=always with RestartSec=1: what an operator's unit does with a process that died. */
export const RESTART_DELAY_MS = 1000;

export interface SuperviseOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here (the JSON logs). */
  logFile: string;
  /** Whether the process serves (the server's /healthz, the agent's listener). */
  isUp: () => Promise<boolean>;
}

export interface Supervised {
  readonly name: string;
  pid(): number | undefined;
  readonly exits: ExitRecord[];
  readonly starts: { pid: number; at: number }[];
  /** SIGKILL as a fault: the exit is marked injected and the process is started again after 1 s. */
  killInjected(): number | undefined;
  /** Resolves with the time the process answered (polls isUp), or undefined at the deadline. */
  waitUp(timeoutMs: number): Promise<number | undefined>;
  /** No more restarts; SIGTERM, then SIGKILL after graceMs. Resolves with whether it had to be forced. */
  stop(graceMs: number): Promise<{ forced: boolean }>;
}

function lastLines(file: string, count: number): string[] {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-count);
  } catch {
    return [];
  }
}

export function supervise(options: SuperviseOptions): Supervised {
  let child: ChildProcess | undefined;
  let stopping = false;
  let injectedPid: number | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  const exits: ExitRecord[] = [];
  const starts: { pid: number; at: number }[] = [];

  const start = (): void => {
    const log = openSync(options.logFile, "a");
    const proc = spawn(options.command, options.args, { env: options.env, stdio: ["ignore", log, log] });
    closeSync(log);
    child = proc;
    if (proc.pid !== undefined) starts.push({ pid: proc.pid, at: Date.now() });
    proc.on("error", () => undefined);
    proc.on("exit", (code, signal) => {
      const pid = proc.pid ?? 0;
      exits.push({
        name: options.name,
        pid,
        at: Date.now(),
        code,
        signal,
        injected: pid === injectedPid,
        stopped: stopping,
        lastLines: lastLines(options.logFile, 5),
      });
      if (child === proc) child = undefined;
      if (!stopping) restartTimer = setTimeout(start, RESTART_DELAY_MS);
    });
  };
  start();

  return {
    name: options.name,
    pid: () => child?.pid,
    exits,
    starts,
    killInjected() {
      const pid = child?.pid;
      if (pid === undefined) return undefined;
      injectedPid = pid;
      process.kill(pid, "SIGKILL");
      return pid;
    },
    async waitUp(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (child !== undefined && (await options.isUp().catch(() => false))) return Date.now();
        await sleep(100);
      }
      return undefined;
    },
    async stop(graceMs) {
      stopping = true;
      clearTimeout(restartTimer);
      const proc = child;
      if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return { forced: false };
      const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      proc.kill("SIGTERM");
      const forced = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
      if (forced) {
        proc.kill("SIGKILL");
        await exited;
      }
      return { forced };
    },
  };
}
