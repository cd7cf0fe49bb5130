import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { isSameProcess } from "../../process/index.js";
import type { Instance } from "../types.js";

export interface VmHandle {
  pid: number;
  startTime: string;
  qmp: string;
}

/** The VM's pid, start time and QMP socket from a persisted instance, or undefined when it has none. */
export function readVmHandle(instance: Instance): VmHandle | undefined {
  const { pid, startTime, qmp } = instance.handle;
  if (typeof pid !== "number" || typeof startTime !== "string" || startTime === "" || typeof qmp !== "string")
    return undefined;
  return { pid, startTime, qmp };
}

/** True only for the very qemu process that was started: a reused pid is never adopted or killed. */
export function isVmAlive(handle: VmHandle): boolean {
  return isSameProcess(handle.pid, handle.startTime);
}

/** Waits until the VM process is gone; true when it is. Zombies count as gone (isSameProcess). */
export async function waitForVmExit(handle: VmHandle, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isVmAlive(handle)) return true;
    await sleep(50);
  }
  return !isVmAlive(handle);
}

/** Sends `signal` to the VM process itself (qemu daemonizes into its own session). */
export function signalVm(handle: VmHandle, signal: NodeJS.Signals): void {
  try {
    if (isVmAlive(handle)) process.kill(handle.pid, signal);
  } catch {
    // gone between the check and the signal
  }
}

/** The pid qemu wrote to its pidfile once it daemonized. */
export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
