import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { classifyHostFault, type SkiffError } from "../errors/index.js";
import { isSameProcess, processStartTime } from "../process/index.js";

export interface LockFile {
  path: string;
  release(): void;
}

export interface AcquireLockOptions {
  /** Wait this long for a live holder to let go; 0 fails at once. */
  waitMs?: number;
  /** The error thrown when a live process holds the lock. */
  onHeld: (holderPid: number) => SkiffError;
}

interface LockOwner {
  pid: number;
  startTime?: string;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, "utf8")) as LockOwner;
    return typeof owner.pid === "number" ? owner : undefined;
  } catch {
    return undefined;
  }
}

function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw classifyHostFault(error, { path, action: "taking the lock" }) ?? error;
  }
  try {
    writeSync(fd, JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) }));
  } catch (error) {
    // A full disk: no empty lock is left behind, and the fault is named.
    unlinkIfPresent(path);
    throw classifyHostFault(error, { path, action: "taking the lock" }) ?? error;
  } finally {
    closeSync(fd);
  }
  return true;
}

/** A lock file holding our pid; a lock left by a dead process (or a reused pid) is taken over. */
export async function acquireLock(path: string, options: AcquireLockOptions): Promise<LockFile> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    if (tryCreate(path)) return { path, release: () => releaseLock(path) };
    const owner = readOwner(path);
    if (owner === undefined || !isSameProcess(owner.pid, owner.startTime)) {
      // A torn or stale lock: its holder is gone. Remove and race for it again.
      unlinkIfPresent(path);
      continue;
    }
    if (Date.now() >= deadline) throw options.onHeld(owner.pid);
    await sleep(20);
  }
}

function releaseLock(path: string): void {
  const owner = readOwner(path);
  if (owner?.pid === process.pid) unlinkIfPresent(path);
}

function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
