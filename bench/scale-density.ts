import { spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readState, stopApp } from "../src/agent/index.js";
import { SERVICE_NODE_FLAGS } from "../src/process/index.js";
import { frontDoorDir, readFrontRecord, stopFrontDoor } from "../src/proxy/index.js";
import { REPO_ROOT } from "./bench-host.js";
import { processTree, processTreeMemory, uniqueResidentMiB } from "./process-cpu.js";
import { percentile, storeScaleApp } from "./scale-host.js";

export const DENSITY_GOAL_MIB = 150;

export interface DensityFigures {
  asleep: number;
  alwaysOn: number;
  /** Resident memory of the front door (with the HAProxy it drives) and of the agent process. */
  frontMiB: number;
  agentMiB: number;
  /**
   * The door, its HAProxy and the agent together, each physical page once (node's code, which the
   * door and the agent share, counts once): what the host spends on them. Undefined without root.
   */
  togetherMiB?: number;
  /** The highest of the samples the figures above are the medians of. */
  togetherMaxMiB?: number;
  /** How many samples, one a second once every app settled. */
  samples: number;
}

/** The median, as the rest of bench:scale reports it. */
const median = (values: number[]): number => percentile(values, 50);

/** Resident memory of one process (not its children: the agent's instances are its children). */
function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024;
}

/** `asleep` apps with scale.min 0 and `alwaysOn` apps with one instance, one agent and one front door. */
export async function measureDensity(options: {
  root: string;
  asleep: number;
  alwaysOn: number;
  /** Samples taken one a second once every app settled (default 15): the host's standing cost, not the deploys' peak. */
  samples?: number;
  log: (line: string) => void;
}): Promise<DensityFigures> {
  const root = join(options.root, "density");
  mkdirSync(root, { recursive: true });
  const repo = join(root, "deploy.git");
  const data = join(root, "host");
  const apps = [
    ...Array.from({ length: options.asleep }, (_, i) => ({
      app: `sleepy-${i}`,
      scale: "{ min: 0, idle: 1h }",
    })),
    ...Array.from({ length: options.alwaysOn }, (_, i) => ({ app: `on-${i}`, scale: undefined })),
  ];
  for (const app of apps) await storeScaleApp(root, repo, { ...app, version: "v1" });
  options.log(`  ${apps.length} apps stored`);
  // For trying node flags on the agent: SKIFF_BENCH_AGENT_FLAGS="--trace-gc" SKIFF_BENCH_AGENT_OUT=/tmp/gc.log.
  const extraFlags = process.env.SKIFF_BENCH_AGENT_FLAGS?.split(" ").filter(Boolean) ?? [];
  const agentOut = process.env.SKIFF_BENCH_AGENT_OUT;
  const agent = spawn(
    process.execPath,
    [
      // As `skiff agent install`'s unit runs it.
      ...SERVICE_NODE_FLAGS,
      ...extraFlags,
      join(REPO_ROOT, "bin", "skiff.js"),
      "agent",
      "--repo",
      repo,
      "--data",
      data,
      "--poll",
      "1h",
      "--front",
      "127.0.0.1:0",
    ],
    {
      stdio: ["ignore", agentOut === undefined ? "ignore" : openSync(agentOut, "w"), "ignore"],
      env: { ...process.env, SKIFF_LOG_LEVEL: "warn" },
    },
  );
  try {
    const settled = (): boolean => {
      const state = readState(data).apps;
      const failed = apps.find(({ app }) => state[app]?.lastDeploy?.ok === false);
      if (failed !== undefined)
        throw new Error(`${failed.app} failed to deploy: ${state[failed.app]?.lastDeploy?.error?.message}`);
      return apps.every(({ app, scale }) =>
        scale === undefined ? state[app]?.instances.length === 1 : state[app]?.asleep !== undefined,
      );
    };
    const deadline = Date.now() + 600_000;
    while (!settled()) {
      if (Date.now() > deadline) throw new Error("the apps did not all deploy within 10 minutes");
      await sleep(250);
    }
    options.log(`  settled; sampling memory`);
    const door = readFrontRecord(frontDoorDir(data))!;
    const samples: { front: number; agent: number; together?: number }[] = [];
    for (let i = 0; i < (options.samples ?? 15); i += 1) {
      await sleep(1000);
      samples.push({
        front: processTreeMemory(door.pid).rssMiB,
        agent: rssMiB(agent.pid!),
        together: uniqueResidentMiB([...processTree(door.pid), agent.pid!]),
      });
    }
    const together = samples.flatMap((s) => (s.together === undefined ? [] : [s.together]));
    return {
      asleep: options.asleep,
      alwaysOn: options.alwaysOn,
      frontMiB: median(samples.map((s) => s.front)),
      agentMiB: median(samples.map((s) => s.agent)),
      ...(together.length === 0
        ? {}
        : { togetherMiB: median(together), togetherMaxMiB: Math.max(...together) }),
      samples: samples.length,
    };
  } finally {
    agent.kill("SIGTERM");
    await new Promise((resolve) => agent.once("exit", resolve));
    for (const { app } of apps) await stopApp(data, app).catch(() => undefined);
    await stopFrontDoor(frontDoorDir(data));
  }
}
