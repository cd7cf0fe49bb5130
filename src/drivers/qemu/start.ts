import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SkiffError } from "../../errors/index.js";
import { processStartTime, runProcess } from "../../process/index.js";
import { instanceMark } from "../instance-mark.js";
import type { Instance, InstanceSpec } from "../types.js";
import { chooseAccelerator } from "./accel.js";
import { buildQemuArgs } from "./argv.js";
import { parseQemuOptions, selectBootFiles } from "./options.js";
import { readPidFile } from "./vm-process.js";

export interface StartVmOptions {
  binary: string;
  kvmCacheFile: string;
  probeTimeoutMs?: number;
}

/** Unix socket paths are limited to 108 bytes: a long instance dir puts the QMP socket in the temp dir. */
export function chooseQmpSocket(dir: string): string {
  const path = join(dir, "qmp.sock");
  if (Buffer.byteLength(path) < 100) return path;
  return join(tmpdir(), `skiff-qmp-${createHash("sha256").update(dir).digest("hex").slice(0, 16)}.sock`);
}

function explainStartFailure(spec: InstanceSpec, stderr: string): SkiffError {
  const detail = stderr.trim().split("\n").slice(-3).join("\n");
  if (/host forwarding rule|Address already in use/i.test(detail)) {
    return new SkiffError(
      "ERR_SKIFF_PORT_IN_USE",
      `qemu could not forward 127.0.0.1:${spec.hostPort} to ${spec.id}: the port is taken`,
      {
        hint: "another process listens on that port; the agent picks a new port on the next attempt",
        data: { hostPort: spec.hostPort },
      },
    );
  }
  return new SkiffError(
    "ERR_SKIFF_DRIVER_START",
    `qemu could not start ${spec.id}: ${detail || "no reason given"}`,
    {
      hint: "run `skiff logs` for the console, or try the same release with deploy.qemu.accel: tcg",
      data: { app: spec.app, release: spec.release },
    },
  );
}

/** Boots the release's kernel in a daemonized qemu and returns the persisted handle. */
export async function startVm(spec: InstanceSpec, options: StartVmOptions): Promise<Instance> {
  const qemuOptions = parseQemuOptions(spec);
  const boot = selectBootFiles(spec, qemuOptions);
  const accel = await chooseAccelerator({
    requested: qemuOptions.accel,
    binary: options.binary,
    kernel: boot.kernel,
    cacheFile: options.kvmCacheFile,
    ...(options.probeTimeoutMs === undefined ? {} : { probeTimeoutMs: options.probeTimeoutMs }),
  });
  const consoleLog = join(spec.dir, "console.log");
  const qmpSocket = chooseQmpSocket(spec.dir);
  const pidFile = join(spec.dir, "qemu.pid");
  rmSync(pidFile, { force: true });
  const args = buildQemuArgs({
    name: spec.id,
    ...boot,
    args: spec.args,
    memoryMiB: spec.memoryMiB,
    cpus: qemuOptions.cpus,
    accel: accel.accel,
    ...(qemuOptions.machine === undefined ? {} : { machine: qemuOptions.machine }),
    hostPort: spec.hostPort,
    guestPort: spec.guestPort,
    consoleLog,
    qmpSocket,
    pidFile,
  });
  // qemu -daemonize returns once the VM is set up, so this waits for setup, not for the guest.
  const result = await runProcess(options.binary, args, {
    cwd: spec.dir,
    env: { ...process.env, ...instanceMark(spec) },
    timeoutMs: 60_000,
    allowFailure: true,
  });
  if (result.exitCode !== 0) throw explainStartFailure(spec, result.stderr);
  const pid = readPidFile(pidFile);
  if (pid === undefined) throw explainStartFailure(spec, `no pid in ${pidFile}`);
  return {
    id: spec.id,
    driver: "qemu",
    app: spec.app,
    release: spec.release,
    address: { host: "127.0.0.1", port: spec.hostPort },
    // An empty start time means the VM was gone at once; inspect then reports it exited.
    handle: { pid, startTime: processStartTime(pid) ?? "", qmp: qmpSocket, accel: accel.accel },
    logPath: consoleLog,
    startedAt: new Date().toISOString(),
  };
}
