import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SkiffError } from "../../errors/index.js";
import { isSameProcess, runProcess, terminateGroup, type RunResult } from "../../process/index.js";
import type { Availability, Driver, Instance, InstanceSpec, InstanceStatus, StopOptions } from "../types.js";
import {
  buildCreateArgs,
  buildDestroyArgs,
  buildInfoArgs,
  buildListArgs,
  buildShutdownArgs,
  type XenToolstack,
} from "./argv.js";
import { spawnConsole } from "./console.js";
import { parseDomainState, type DomainState } from "./list-state.js";
import { parseGuestAddress, parseXenOptions } from "./options.js";
import { readLogLines } from "../read-log.js";
import { pickKernelFile, pickTemplateFile } from "./release-files.js";
import { DEFAULT_XL_TEMPLATE, renderXlConfig } from "./render-config.js";

export interface XenDriverOptions {
  /** Environment the toolstack runs with (PATH finds xl/xm); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Timeout of one xl command; default 60 s. */
  commandTimeoutMs?: number;
}

const DEFAULT_GRACE_MS = 10_000;

/** Xen through the xl (or xm) toolstack. Guests own a fixed address on the bridge: use the recreate strategy. */
export function createXenDriver(driverOptions: XenDriverOptions = {}): Driver {
  const env = driverOptions.env ?? process.env;
  const timeoutMs = driverOptions.commandTimeoutMs ?? 60_000;
  const run = (tool: XenToolstack, args: string[]): Promise<RunResult> =>
    runProcess(tool, args, { env, timeoutMs, allowFailure: true });

  // absent: xl list fails for the name; undefined: the toolstack itself could not run.
  const domainState = async (
    tool: XenToolstack,
    name: string,
  ): Promise<DomainState | "absent" | undefined> => {
    try {
      const listed = await run(tool, buildListArgs(name));
      return listed.exitCode === 0 ? parseDomainState(listed.stdout, name) : "absent";
    } catch {
      return undefined;
    }
  };

  // Everything that can refuse the release, without side effects: used by preflight and start.
  const prepare = async (spec: InstanceSpec) => {
    // deploy.xen of the release, keyed like every driver's settings in spec.options.
    const options = parseXenOptions(asRecord(spec.options.xen));
    const templatePath = pickTemplateFile(spec.files, options);
    const template = templatePath === undefined ? DEFAULT_XL_TEMPLATE : await readFile(templatePath, "utf8");
    const config = renderXlConfig(template, {
      name: spec.id,
      kernel: pickKernelFile(spec.files, options),
      memoryMiB: spec.memoryMiB,
      args: spec.args,
      disks: options.disk,
    });
    return { options, config, address: parseGuestAddress(options.address, spec.guestPort) };
  };

  return {
    name: "xen",

    async available(): Promise<Availability> {
      const reasons: string[] = [];
      for (const tool of ["xl", "xm"] as const) {
        try {
          const info = await run(tool, buildInfoArgs());
          if (info.exitCode === 0) return { available: true, details: { toolstack: tool } };
          const why = info.stderr.trim().split("\n").slice(-1)[0] ?? `exit ${info.exitCode}`;
          reasons.push(`${tool} info failed (${why}): this host runs no Xen hypervisor, or is not dom0`);
        } catch {
          reasons.push(`${tool} is not on PATH`);
        }
      }
      return {
        available: false,
        reason: `${reasons.join("; ")}. Install the Xen toolstack (xen-utils) on a Xen dom0.`,
      };
    },

    async preflight(spec: InstanceSpec): Promise<void> {
      await prepare(spec);
    },

    async start(spec: InstanceSpec): Promise<Instance> {
      const { options, config, address } = await prepare(spec);
      const tool = options.toolstack;
      const configPath = join(spec.dir, `${tool}.conf`);
      await writeFile(configPath, config, { mode: 0o600 });
      const created = await run(tool, buildCreateArgs(configPath));
      if (created.exitCode !== 0) {
        throw new SkiffError(
          "ERR_SKIFF_DRIVER_START",
          `${tool} create failed for ${spec.id} (exit ${created.exitCode})`,
          {
            hint:
              created.stderr.trim().split("\n").slice(-3).join("\n") || `run: ${tool} create ${configPath}`,
            data: { exitCode: created.exitCode },
          },
        );
      }
      const logPath = join(spec.dir, "console.log");
      const attached = await spawnConsole({ toolstack: tool, name: spec.id, logPath, env });
      return {
        id: spec.id,
        driver: "xen",
        app: spec.app,
        release: spec.release,
        address,
        handle: {
          domain: spec.id,
          toolstack: tool,
          config: configPath,
          consolePid: attached.pid,
          ...(attached.startTime === undefined ? {} : { consoleStartTime: attached.startTime }),
        },
        logPath,
        startedAt: new Date().toISOString(),
      };
    },

    async stop(instance: Instance, stopOptions: StopOptions = {}): Promise<void> {
      const { tool, name } = handleOf(instance);
      // A crashed domain (kept by on_crash='preserve') cannot shut down: it is destroyed at once.
      if ((await domainState(tool, name)) === "running") {
        await run(tool, buildShutdownArgs(name));
        const deadline = Date.now() + (stopOptions.graceMs ?? DEFAULT_GRACE_MS);
        while (
          Date.now() < deadline &&
          !stopOptions.signal?.aborted &&
          (await domainState(tool, name)) === "running"
        ) {
          await sleep(100);
        }
      }
      const left = await domainState(tool, name);
      if (left === "running" || left === "stopped") await run(tool, buildDestroyArgs(name));
      await stopConsole(instance);
    },

    async inspect(instance: Instance): Promise<InstanceStatus> {
      const { tool, name } = handleOf(instance);
      const state = await domainState(tool, name);
      if (state === undefined) return "unknown";
      return state === "running" ? "running" : "exited";
    },

    logs(instance: Instance): AsyncIterable<string> {
      return readLogLines(instance.logPath, { console: true });
    },
  };
}

function handleOf(instance: Instance): { tool: XenToolstack; name: string } {
  const tool = instance.handle.toolstack === "xm" ? "xm" : "xl";
  return { tool, name: String(instance.handle.domain ?? instance.id) };
}

async function stopConsole(instance: Instance): Promise<void> {
  const pid = Number(instance.handle.consolePid);
  const startTime = instance.handle.consoleStartTime;
  if (pid > 0 && isSameProcess(pid, startTime === undefined ? undefined : String(startTime))) {
    await terminateGroup(pid, 1000);
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}
