import { existsSync } from "node:fs";
import { join } from "node:path";
import { SkiffError } from "../../errors/index.js";
import { isSameProcess, terminateGroup } from "../../process/index.js";
import type { Driver, Instance, InstanceSpec, InstanceStatus, StopOptions } from "../types.js";
import { buildTenderArgs } from "./argv.js";
import { checkSolo5Host, type Solo5Tender } from "./availability.js";
import { queryDeviceManifest } from "./device-manifest.js";
import type { Solo5HostDevices } from "./host-devices.js";
import { parseSolo5Options, pickUnikernel, resolveAddress } from "./options.js";
import { planDevices } from "./plan-devices.js";
import { instanceMark } from "../instance-mark.js";
import { readLogLines } from "../read-log.js";
import { spawnTender } from "./tender-process.js";

export interface Solo5DriverOptions {
  tender: Solo5Tender;
  /** The devices this host offers (agent configuration); none by default. */
  devices?: Solo5HostDevices;
  /** Tender program name or absolute path; default solo5-hvt / solo5-spt found on PATH. */
  tenderCommand?: string;
  /** Default solo5-elftool on PATH. */
  elftoolCommand?: string;
  /** Environment for the tender and elftool (PATH finds them); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default /dev/kvm (hvt). */
  kvmDevice?: string;
  /** Default /proc/self/status (spt's seccomp check). */
  procStatus?: string;
}

const DEFAULT_GRACE_MS = 10_000;

/** solo5-hvt or solo5-spt: the tender is a host process, so the lifecycle is the unix driver's. */
export function createSolo5Driver(options: Solo5DriverOptions): Driver {
  const name = options.tender === "hvt" ? "solo5-hvt" : "solo5-spt";
  const env = options.env ?? process.env;
  const tenderCommand = options.tenderCommand ?? name;
  const elftool = options.elftoolCommand ?? "solo5-elftool";
  const devices = options.devices ?? {};

  // Reads the unikernel's manifest and matches it with the host's devices; refuses before anything is replaced.
  const planStart = async (spec: InstanceSpec) => {
    // deploy.solo5 of the release, keyed like every driver's settings in spec.options.
    const deployOptions = parseSolo5Options(asRecord(spec.options.solo5));
    const unikernel = pickUnikernel(spec.files, deployOptions);
    const declared = await queryDeviceManifest({ elftool, unikernel, env });
    const plan = planDevices(declared, devices, existsSync);
    if (plan.missing.length > 0) {
      throw new SkiffError(
        "ERR_SKIFF_DEVICES_MISSING",
        `release ${spec.release} of ${spec.app} needs devices this host does not provide: ${plan.missing.join(", ")}`,
        {
          hint: "give the agent these solo5 devices (net: {NAME: tapN}, block: {NAME: /path/to/disk.img}), or deploy the release on a host that has them",
          data: { missing: plan.missing, declared },
        },
      );
    }
    const args = buildTenderArgs({
      memoryMiB: spec.memoryMiB,
      deviceArgs: plan.deviceArgs,
      unikernel,
      args: spec.args,
    });
    return { args, address: resolveAddress(deployOptions, spec) };
  };

  return {
    name,

    available() {
      return Promise.resolve(
        checkSolo5Host({
          tender: options.tender,
          tenderCommand,
          elftoolCommand: elftool,
          env,
          kvmDevice: options.kvmDevice ?? "/dev/kvm",
          procStatus: options.procStatus ?? "/proc/self/status",
        }),
      );
    },

    async preflight(spec: InstanceSpec): Promise<void> {
      await planStart(spec);
    },

    async start(spec: InstanceSpec): Promise<Instance> {
      const { args, address } = await planStart(spec);
      const logPath = join(spec.dir, "console.log");
      const tender = await spawnTender({
        file: tenderCommand,
        args,
        env: { ...env, ...spec.env, ...instanceMark(spec) },
        logPath,
      });
      return {
        id: spec.id,
        driver: name,
        app: spec.app,
        release: spec.release,
        address,
        handle: {
          pid: tender.pid,
          ...(tender.startTime === undefined ? {} : { startTime: tender.startTime }),
        },
        logPath,
        startedAt: new Date().toISOString(),
      };
    },

    async stop(instance: Instance, stopOptions: StopOptions = {}): Promise<void> {
      const { pid, startTime } = handleOf(instance);
      if (isSameProcess(pid, startTime)) await terminateGroup(pid, stopOptions.graceMs ?? DEFAULT_GRACE_MS);
    },

    inspect(instance: Instance): Promise<InstanceStatus> {
      const { pid, startTime } = handleOf(instance);
      if (!(pid > 0)) return Promise.resolve("unknown");
      return Promise.resolve(isSameProcess(pid, startTime) ? "running" : "exited");
    },

    logs(instance: Instance): AsyncIterable<string> {
      return readLogLines(instance.logPath);
    },
  };
}

function handleOf(instance: Instance): { pid: number; startTime: string | undefined } {
  const startTime = instance.handle.startTime;
  return {
    pid: Number(instance.handle.pid),
    startTime: startTime === undefined ? undefined : String(startTime),
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}
