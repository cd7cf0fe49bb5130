import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import type { Availability } from "../types.js";
import { findExecutable } from "../../process/index.js";

export type Solo5Tender = "hvt" | "spt";

export interface Solo5HostChecks {
  tender: Solo5Tender;
  tenderCommand: string;
  elftoolCommand: string;
  env: NodeJS.ProcessEnv;
  /** hvt's KVM device; default /dev/kvm. */
  kvmDevice: string;
  /** Where the kernel reports seccomp support (spt); default /proc/self/status. */
  procStatus: string;
}

/** Says, in words an operator can act on, why this host cannot run a solo5 tender. */
export function checkSolo5Host(checks: Solo5HostChecks): Availability {
  const tender = findExecutable(checks.tenderCommand, checks.env);
  if (tender === undefined) {
    return {
      available: false,
      reason: `${checks.tenderCommand} not found on PATH: install solo5 (opam install solo5) or configure its path`,
    };
  }
  if (findExecutable(checks.elftoolCommand, checks.env) === undefined) {
    return {
      available: false,
      reason: `${checks.elftoolCommand} not found on PATH: it comes with solo5 and is needed to check a unikernel's devices`,
    };
  }
  const hostReason = checks.tender === "hvt" ? checkKvm(checks.kvmDevice) : checkSeccomp(checks.procStatus);
  if (hostReason !== undefined) return { available: false, reason: hostReason };
  return { available: true, details: { tender } };
}

function checkKvm(device: string): string | undefined {
  if (!existsSync(device))
    return `${device} does not exist: solo5-hvt needs KVM (enable virtualisation, load kvm_intel or kvm_amd)`;
  try {
    accessSync(device, constants.R_OK | constants.W_OK);
    return undefined;
  } catch {
    return `${device} is not readable and writable by this user: add it to the kvm group`;
  }
}

function checkSeccomp(procStatus: string): string | undefined {
  if (process.platform !== "linux")
    return "solo5-spt runs only on Linux (it sandboxes the unikernel with seccomp)";
  try {
    if (/^Seccomp:/m.test(readFileSync(procStatus, "utf8"))) return undefined;
  } catch {
    // unreadable: same answer as missing
  }
  return "this kernel has no seccomp support (CONFIG_SECCOMP_FILTER), which solo5-spt needs";
}
