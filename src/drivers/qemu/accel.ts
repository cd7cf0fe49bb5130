import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { release } from "node:os";
import { dirname } from "node:path";
import { SkiffError } from "../../errors/index.js";
import { runProcess } from "../../process/index.js";
import type { Accelerator } from "./argv.js";

export interface KvmVerdict {
  kvm: boolean;
  reason: string;
  /** What the verdict holds for: a new host kernel or qemu binary probes again. */
  hostKernel: string;
  binary: string;
  probedAt: string;
}

export interface ChooseAcceleratorOptions {
  requested: "auto" | Accelerator;
  binary: string;
  /** A kernel to boot for the probe (the instance's own). */
  kernel: string;
  /** Where the KVM verdict is remembered. */
  cacheFile: string;
  probeTimeoutMs?: number;
}

export interface AcceleratorChoice {
  accel: Accelerator;
  reason: string;
}

/** Why KVM cannot even be tried here, or undefined when /dev/kvm is there and usable by us. */
export function checkKvmDevice(): string | undefined {
  if (!existsSync("/dev/kvm")) return "/dev/kvm does not exist (no hardware virtualisation here)";
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
    return undefined;
  } catch {
    return "no read/write access to /dev/kvm (add this user to the kvm group)";
  }
}

/**
 * Boots the kernel under KVM with no initrd and waits for its first serial output. /dev/kvm can
 * exist while guests hang before printing anything (measured on these machines): only output counts.
 */
export async function probeKvm(options: {
  binary: string;
  kernel: string;
  timeoutMs: number;
}): Promise<{ kvm: boolean; reason: string }> {
  const controller = new AbortController();
  let output = 0;
  const args = [
    "-nodefaults",
    "-no-user-config",
    "-accel",
    "kvm",
    "-cpu",
    "host",
    "-m",
    "128",
    "-display",
    "none",
    "-no-reboot",
  ];
  args.push("-kernel", options.kernel, "-append", "console=ttyS0 panic=-1", "-serial", "stdio");
  const result = await runProcess(options.binary, args, {
    timeoutMs: options.timeoutMs,
    signal: controller.signal,
    graceMs: 500,
    allowFailure: true,
    onOutput: (chunk, stream) => {
      if (stream !== "stdout") return;
      output += chunk.length;
      controller.abort();
    },
  });
  if (output > 0) return { kvm: true, reason: "a guest booted under KVM" };
  if (result.timedOut)
    return { kvm: false, reason: `a guest under KVM printed nothing in ${options.timeoutMs} ms` };
  const stderr = result.stderr.trim().split("\n").slice(-1)[0] ?? "";
  return {
    kvm: false,
    reason: `qemu with KVM failed: ${stderr || `exit ${result.exitCode ?? result.signal}`}`,
  };
}

export function readKvmVerdict(cacheFile: string, binary: string): KvmVerdict | undefined {
  try {
    const verdict = JSON.parse(readFileSync(cacheFile, "utf8")) as KvmVerdict;
    if (verdict.hostKernel !== release() || verdict.binary !== binary || typeof verdict.kvm !== "boolean")
      return undefined;
    return verdict;
  } catch {
    return undefined;
  }
}

function writeKvmVerdict(cacheFile: string, verdict: KvmVerdict): void {
  mkdirSync(dirname(cacheFile), { recursive: true });
  const temp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(verdict, null, 2)}\n`);
  renameSync(temp, cacheFile);
}

/** `tcg` and `kvm` as asked (kvm must at least have its device); `auto` = KVM only when a probe guest boots. */
export async function chooseAccelerator(options: ChooseAcceleratorOptions): Promise<AcceleratorChoice> {
  if (options.requested === "tcg") return { accel: "tcg", reason: "deploy.qemu.accel is tcg" };
  const deviceProblem = checkKvmDevice();
  if (options.requested === "kvm") {
    if (deviceProblem === undefined) return { accel: "kvm", reason: "deploy.qemu.accel is kvm" };
    throw new SkiffError("ERR_SKIFF_DRIVER_UNAVAILABLE", `deploy.qemu.accel is kvm, but ${deviceProblem}`, {
      hint: "set deploy.qemu.accel to auto or tcg, or run on a host with working KVM",
    });
  }
  if (deviceProblem !== undefined) return { accel: "tcg", reason: deviceProblem };
  let verdict = readKvmVerdict(options.cacheFile, options.binary);
  if (verdict === undefined) {
    const probe = await probeKvm({
      binary: options.binary,
      kernel: options.kernel,
      timeoutMs: options.probeTimeoutMs ?? 8000,
    });
    verdict = { ...probe, hostKernel: release(), binary: options.binary, probedAt: new Date().toISOString() };
    writeKvmVerdict(options.cacheFile, verdict);
  }
  return verdict.kvm ? { accel: "kvm", reason: verdict.reason } : { accel: "tcg", reason: verdict.reason };
}
