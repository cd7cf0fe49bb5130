import { rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { SkiffError } from "../../errors/index.js";
import { runProcess } from "../../process/index.js";
import { readLogLines } from "../read-log.js";
import type { Availability, Driver, Instance, InstanceSpec, InstanceStatus, StopOptions } from "../types.js";
import { checkKvmDevice, readKvmVerdict } from "./accel.js";
import { findExecutable } from "../../process/index.js";
import { QEMU_BINARY } from "./binary.js";
import { queryVmStatus, runQmpCommand } from "./qmp.js";
import { startVm } from "./start.js";
import { isVmAlive, readVmHandle, signalVm, waitForVmExit } from "./vm-process.js";

export { buildQemuArgs, type QemuArgsOptions, type Accelerator } from "./argv.js";
export { chooseAccelerator, probeKvm, type KvmVerdict } from "./accel.js";
export { runQmpCommand, queryVmStatus } from "./qmp.js";

export interface QemuDriverOptions {
  /** qemu-system-x86_64 by name on PATH, or an absolute path. */
  binary?: string;
  /** Where the KVM probe verdict is remembered (default $SKIFF_CACHE_DIR or ~/.cache/skiff). */
  cacheDir?: string;
  probeTimeoutMs?: number;
}

/** Default grace between ACPI powerdown and the kill; guests without ACPI handling take all of it. */
const DEFAULT_GRACE_MS = 5000;

function defaultCacheDir(): string {
  return (
    process.env.SKIFF_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "skiff")
  );
}

/** A driver that boots a release's kernel (+ initrd) in qemu with virtio-net user networking. */
export function createQemuDriver(options: QemuDriverOptions = {}): Driver {
  const kvmCacheFile = join(options.cacheDir ?? defaultCacheDir(), "kvm-probe.json");
  const resolveBinary = (): string | undefined => findExecutable(options.binary ?? QEMU_BINARY);

  async function available(): Promise<Availability> {
    const binary = resolveBinary();
    if (binary === undefined) {
      return {
        available: false,
        reason: `${options.binary ?? QEMU_BINARY} not found on PATH: apt-get install qemu-system-x86`,
      };
    }
    const version = await runProcess(binary, ["--version"], { timeoutMs: 10_000, allowFailure: true });
    if (version.exitCode !== 0)
      return {
        available: false,
        reason: `${binary} --version failed: ${version.stderr.trim() || "no output"}`,
      };
    const verdict = readKvmVerdict(kvmCacheFile, binary);
    const kvm =
      checkKvmDevice() ??
      (verdict === undefined ? "not probed yet (accel auto probes on first start)" : verdict.reason);
    return { available: true, details: { binary, version: version.stdout.split("\n")[0] ?? "", kvm } };
  }

  async function start(spec: InstanceSpec): Promise<Instance> {
    const binary = resolveBinary();
    if (binary === undefined) {
      throw new SkiffError("ERR_SKIFF_DRIVER_UNAVAILABLE", `${QEMU_BINARY} is not installed on this host`, {
        hint: "apt-get install qemu-system-x86, or deploy this app to a host that has qemu",
      });
    }
    return startVm(spec, {
      binary,
      kvmCacheFile,
      ...(options.probeTimeoutMs === undefined ? {} : { probeTimeoutMs: options.probeTimeoutMs }),
    });
  }

  async function stop(instance: Instance, stopOptions: StopOptions = {}): Promise<void> {
    const handle = readVmHandle(instance);
    if (handle === undefined || !isVmAlive(handle)) return;
    // ACPI power button first: a guest that handles it shuts down cleanly; one that ignores it is killed after the grace.
    await runQmpCommand(handle.qmp, "system_powerdown").catch(() => undefined);
    if (!(await waitForVmExit(handle, stopOptions.graceMs ?? DEFAULT_GRACE_MS))) {
      signalVm(handle, "SIGTERM");
      if (!(await waitForVmExit(handle, 3000))) {
        signalVm(handle, "SIGKILL");
        await waitForVmExit(handle, 3000);
      }
    }
    rmSync(handle.qmp, { force: true });
  }

  async function inspect(instance: Instance): Promise<InstanceStatus> {
    const handle = readVmHandle(instance);
    if (handle === undefined || !isVmAlive(handle)) return "exited";
    const status = await queryVmStatus(handle.qmp).catch(() => undefined);
    if (status === "running") return "running";
    // Alive but silent or stopped (paused, shutting down): not known to serve.
    return isVmAlive(handle) ? "unknown" : "exited";
  }

  // The serial console ends lines with \r\n and may carry terminal escapes.
  const logs = (instance: Instance): AsyncIterable<string> =>
    readLogLines(instance.logPath, { console: true });

  return { name: "qemu", available, start, stop, inspect, logs };
}

export const qemuDriver: Driver = createQemuDriver();
