import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { SkiffError } from "../../../errors/index.js";
import { isSameProcess, processStartTime, waitForExit } from "../../../process/index.js";
import { readJsonFile, writeJsonFile } from "../../proxy-files.js";
import type { HaproxyPaths } from "./haproxy-model.js";
import { haproxyCommand } from "./runtime-api.js";
import { parseShowProc, type ProcState } from "./show-proc.js";

const MasterRecordSchema = z.object({
  pid: z.number().int().positive(),
  startTime: z.string().optional(),
  /** The master this one replaced after it died, until the door has journaled that restart. */
  replaced: z.number().int().positive().optional(),
});
const recordPath = (paths: HaproxyPaths): string => join(paths.dir, "master.json");
export const haproxyLogPath = (paths: HaproxyPaths): string => join(paths.dir, "haproxy.log");

/** HAProxy's master process (master-worker mode), run and reloaded by the front door. */
export interface HaproxyMaster {
  readonly pid: number;
  /** Re-reads the config; listeners pass to the new worker (no connection is refused). */
  reload(): Promise<void>;
  /** Stops HAProxy; its connections close. */
  stop(): Promise<void>;
  /** Called once if the master exits while it was not being stopped. */
  onExit(listener: () => void): void;
  /** The master this one replaced, when the door that started it died before journaling that restart. */
  readonly replaced: number | undefined;
  /** The restart that started this master is journaled: its record forgets `replaced`. */
  restartJournaled(): void;
}

async function procState(paths: HaproxyPaths): Promise<ProcState | undefined> {
  try {
    return parseShowProc(await haproxyCommand(paths.master, "show proc", { master: true, timeoutMs: 2000 }));
  } catch {
    return undefined;
  }
}

function logTail(paths: HaproxyPaths): string {
  try {
    const lines = readFileSync(haproxyLogPath(paths), "utf8").trim().split("\n");
    return (
      lines
        .filter((line) => line.includes("ALERT"))
        .slice(-3)
        .join(" | ") ||
      (lines.at(-1) ?? "")
    );
  } catch {
    return "";
  }
}

/** Waits until `show proc` satisfies `done` (bounded); the state then, or undefined. */
async function waitForProc(
  paths: HaproxyPaths,
  done: (state: ProcState) => boolean,
  timeoutMs: number,
  alive: () => boolean,
): Promise<ProcState | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive()) {
    const state = await procState(paths);
    if (state !== undefined && done(state)) return state;
    await sleep(20);
  }
  return undefined;
}

function handle(
  paths: HaproxyPaths,
  pid: number,
  exited: Promise<void>,
  replaced: number | undefined,
): HaproxyMaster {
  let stopping = false;
  const exitListeners: (() => void)[] = [];
  let gone = false;
  void exited.then(() => {
    gone = true;
    if (!stopping) for (const listener of exitListeners) listener();
  });
  return {
    pid,
    replaced,
    restartJournaled() {
      const record = readJsonFile(recordPath(paths), MasterRecordSchema);
      if (record?.pid !== pid || record.replaced === undefined) return;
      try {
        writeJsonFile(recordPath(paths), { pid, startTime: record.startTime });
      } catch {
        // A full disk: the next door journals the restart again only if no agent reported it yet.
      }
    },
    async reload() {
      const before = await procState(paths);
      await haproxyCommand(paths.master, "reload", { master: true, timeoutMs: 5000 }).catch(() => "");
      const after = await waitForProc(
        paths,
        (s) =>
          s.worker !== undefined &&
          (s.worker !== before?.worker || s.failedReloads > (before?.failedReloads ?? 0)),
        15_000,
        () => !gone,
      );
      if (after === undefined || after.failedReloads > (before?.failedReloads ?? 0)) {
        throw new SkiffError(
          "ERR_SKIFF_PROXY",
          `HAProxy did not take the front door's new configuration: ${logTail(paths) || "no answer"}`,
          {
            hint: `See ${haproxyLogPath(paths)}; the previous configuration keeps serving.`,
          },
        );
      }
    },
    async stop() {
      stopping = true;
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
      if (!(await waitForExit(pid, 3000))) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      rmSync(recordPath(paths), { force: true });
    },
    onExit: (listener) => void exitListeners.push(listener),
  };
}

/** Polls until a pid we did not start has exited (an adopted master is not our child). */
async function exitOf(pid: number): Promise<void> {
  // Often: the door starts it again at once, and every app's traffic waits for that.
  while (isSameProcess(pid, undefined)) await sleep(100);
}

/**
 * The master a previous front door left running (it survives the door being killed, and keeps
 * serving meanwhile), when it is ours and answers; else undefined (a deaf one is killed).
 */
export async function adoptMaster(paths: HaproxyPaths): Promise<HaproxyMaster | undefined> {
  const record = readJsonFile(recordPath(paths), MasterRecordSchema);
  if (record === undefined || !isSameProcess(record.pid, record.startTime)) return undefined;
  const state = await procState(paths);
  if (state?.masterPid !== record.pid) {
    try {
      process.kill(record.pid, "SIGKILL");
    } catch {
      // already gone
    }
    return undefined;
  }
  return handle(paths, record.pid, exitOf(record.pid), record.replaced);
}

/**
 * Starts HAProxy's master with the config written at paths.config; resolves once its worker runs.
 * `replaced`: the master that died before it, kept in the record until the restart is journaled,
 * so a door killed in between leaves the restart for the next door to report.
 */
export async function startMaster(
  paths: HaproxyPaths,
  binary: string,
  replaced?: number,
): Promise<HaproxyMaster> {
  rmSync(paths.master, { force: true });
  rmSync(paths.stats, { force: true });
  const logFd = openSync(haproxyLogPath(paths), "a", 0o600);
  // Not detached: HAProxy is in the door's process group, so stopping the group stops it too; a
  // SIGKILL of the door alone leaves it serving until the next door adopts it.
  const child = spawn(binary, ["-W", "-S", `${paths.master},mode,600`, "-f", paths.config], {
    cwd: paths.dir,
    stdio: ["ignore", logFd, logFd],
  });
  closeSync(logFd);
  child.unref();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const pid = child.pid;
  const ready =
    pid === undefined
      ? undefined
      : await waitForProc(
          paths,
          (s) => s.worker !== undefined,
          15_000,
          () => !gone,
        );
  if (pid === undefined || ready === undefined) {
    if (pid !== undefined && !gone) child.kill("SIGKILL");
    throw new SkiffError(
      "ERR_SKIFF_PROXY",
      `HAProxy did not start: ${logTail(paths) || "no worker within 15s"}`,
      {
        hint: `See ${haproxyLogPath(paths)}.`,
      },
    );
  }
  writeJsonFile(recordPath(paths), { pid, startTime: processStartTime(pid), replaced });
  return handle(paths, pid, exited, undefined);
}
