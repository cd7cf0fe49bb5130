import { setTimeout as sleep } from "node:timers/promises";

/** True while a process with this pid exists (signal 0 probes without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** SIGKILL (or `signal`) to every process left in the group, at once; nothing when the group is gone. */
export function killGroupNow(pid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return isAlive(pid);
  }
}

/**
 * Polls `gone` until it is true or `timeoutMs` passes; true when it became true. A process we did
 * not spawn gives no exit event, so we look: soon at first (most exit within a few ms of SIGTERM),
 * then every 25 ms.
 */
async function pollUntil(gone: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; Date.now() < deadline; delay = Math.min(25, delay * 2)) {
    if (gone()) return true;
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
  }
  return gone();
}

/** SIGTERM to the whole process group, a grace period, then SIGKILL (execa's terminate habit). */
export async function terminateGroup(pid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pid, "SIGTERM")) return;
  if (await pollUntil(() => !groupAlive(pid), graceMs)) return;
  signalGroup(pid, "SIGKILL");
  await pollUntil(() => !groupAlive(pid), 2000);
}

/** Waits until the pid is gone or the timeout passes; true when it is gone. */
export function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  return pollUntil(() => !isAlive(pid), timeoutMs);
}
