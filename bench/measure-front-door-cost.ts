// The front door's cost, measured: used by bench/front-door-cost.ts alone and by the scale benchmarks.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { findFreePort } from "../src/agent/index.js";
import { runLoad } from "../src/load/index.js";
import {
  ensureFrontDoor,
  ensureProxy,
  stopFrontDoor,
  stopProxy,
  type FrontDoorClient,
} from "../src/proxy/index.js";
import { REPO_ROOT } from "./bench-host.js";
import { processTreeCpuMs } from "./process-cpu.js";

export const GOALS = { ratio: 0.8, p99DeltaMs: 1 };

export interface Variant {
  name: string;
  port: number;
  host?: string;
  /** The process (tree) whose CPU is the door's cost; none for direct. */
  pid?: number;
}

export interface VariantFigures {
  name: string;
  /** Medians over the rounds. */
  rate: number;
  p50: number;
  p99: number;
  /** Per round: rate / direct rate of the same round, and p99 − direct p99; medians. */
  ratio: number;
  p99DeltaMs: number;
  /** CPU the door used per request (µs), median over rounds; undefined for direct. */
  cpuUsPerRequest?: number;
  /**
   * The throughput ratio when CPU is what limits the run and the door's CPU is the only extra
   * cost: the direct round's CPU per request (load generator + instance) over that plus the
   * door's. Other programs' load moves it much less than the measured ratio.
   */
  cpuBoundRatio?: number;
  /** For direct: the load generator's and the instance's CPU per request (µs). */
  clientAndInstanceUs?: number;
  errors: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

function startInstance(port: number): ChildProcess {
  const script = join(REPO_ROOT, "test", "fixtures", "unikernels", "serve.mjs");
  return spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: String(port) },
    stdio: "ignore",
  });
}

async function startDoor(
  root: string,
  engine: "node" | "haproxy",
  instancePort: number,
): Promise<{ door: FrontDoorClient; variants: Variant[] }> {
  const [front, publish, publishHttp] = [await findFreePort(), await findFreePort(), await findFreePort()];
  const door = await ensureFrontDoor({ dir: join(root, engine), engine, front: `127.0.0.1:${front}` });
  const backends = [{ id: "bench-1-aaaa", address: `127.0.0.1:${instancePort}`, state: "ready" as const }];
  await door.setApp("bench", { publish: `127.0.0.1:${publish}`, hostname: "bench.localhost", backends });
  // The same instance on a second publish port that speaks HTTP (deploy.proxy.protocol: http).
  await door.setApp("bench-http", {
    publish: `127.0.0.1:${publishHttp}`,
    hostname: null,
    protocol: "http",
    backends,
  });
  const status = await door.status();
  if (status.engine.name !== engine)
    throw new Error(`asked for the ${engine} engine, got ${status.engine.name}`);
  return {
    door,
    variants: [
      { name: `${engine}: publish port`, port: publish!, pid: door.pid },
      { name: `${engine}: publish port, http`, port: publishHttp!, pid: door.pid },
      { name: `${engine}: hostname`, port: front!, host: "bench.localhost", pid: door.pid },
    ],
  };
}

/** Runs the rounds; every round measures every variant once, direct first. */
export async function measureFrontDoorCost(options: {
  rounds: number;
  seconds: number;
  engines: ("node" | "haproxy")[];
  perAppProxy: boolean;
  log?: (line: string) => void;
}): Promise<FrontDoorCost> {
  const loadBefore = loadavg()[0]!;
  const root = mkdtempSync(join(tmpdir(), "skiff-front-cost-"));
  const instancePort = (await findFreePort())!;
  const instance = startInstance(instancePort);
  const doors: string[] = [];
  const proxyDir = join(root, "per-app");
  const variants: Variant[] = [{ name: "direct", port: instancePort }];
  try {
    for (const engine of options.engines) {
      const started = await startDoor(root, engine, instancePort);
      doors.push(started.door.dir);
      variants.push(...started.variants);
    }
    if (options.perAppProxy) {
      const port = (await findFreePort())!;
      const proxy = await ensureProxy({
        app: "bench",
        listen: `127.0.0.1:${port}`,
        dir: proxyDir,
        backend: { host: "127.0.0.1", port: instancePort },
      });
      variants.push({ name: "per-app proxy (today)", port, pid: proxy.pid });
    }
    await sleep(300);
    const rounds = new Map<
      string,
      { rate: number; p50: number; p99: number; cpu?: number; rest: number; errors: number }[]
    >();
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const variant of variants) {
        const cpuBefore = variant.pid === undefined ? 0 : processTreeCpuMs(variant.pid);
        const instanceBefore = processTreeCpuMs(instance.pid!);
        const clientBefore = process.cpuUsage();
        const result = await runLoad({
          url: `http://127.0.0.1:${variant.port}/`,
          concurrency: 8,
          durationMs: options.seconds * 1000,
          maxRequests: 1_000_000,
          ...(variant.host === undefined ? {} : { host: variant.host }),
        });
        const cpu =
          variant.pid === undefined
            ? undefined
            : ((processTreeCpuMs(variant.pid) - cpuBefore) * 1000) / Math.max(1, result.requests);
        const client = process.cpuUsage(clientBefore);
        // The load generator's and the instance's CPU per request: the work a request costs without a door.
        const rest =
          (client.user + client.system + (processTreeCpuMs(instance.pid!) - instanceBefore) * 1000) /
          Math.max(1, result.requests);
        const list = rounds.get(variant.name) ?? [];
        list.push({
          rest,
          rate: result.rate,
          p50: result.latency.p50,
          p99: result.latency.p99,
          cpu,
          errors: result.errors + result.non2xx,
        });
        rounds.set(variant.name, list);
      }
      options.log?.(`round ${round}/${options.rounds} done`);
    }
    const direct = rounds.get("direct")!;
    const figures = variants.map((variant): VariantFigures => {
      const list = rounds.get(variant.name)!;
      const cpus = list.flatMap((r) => (r.cpu === undefined ? [] : [r.cpu]));
      return {
        name: variant.name,
        rate: median(list.map((r) => r.rate)),
        p50: median(list.map((r) => r.p50)),
        p99: median(list.map((r) => r.p99)),
        ratio: median(list.map((r, i) => r.rate / (direct[i]?.rate ?? r.rate))),
        p99DeltaMs: median(list.map((r, i) => r.p99 - (direct[i]?.p99 ?? r.p99))),
        ...(cpus.length === 0
          ? {}
          : {
              cpuUsPerRequest: median(cpus),
              cpuBoundRatio: median(
                list.map((r, i) => {
                  const base = direct[i]?.rest ?? r.rest;
                  return base / (base + (r.cpu ?? 0));
                }),
              ),
            }),
        ...(variant.pid === undefined ? { clientAndInstanceUs: median(list.map((r) => r.rest)) } : {}),
        errors: list.reduce((sum, r) => sum + r.errors, 0),
      };
    });
    return {
      direct: figures[0]!,
      variants: figures.slice(1),
      loadAverage: { before: loadBefore, after: loadavg()[0]! },
    };
  } finally {
    for (const dir of doors) await stopFrontDoor(dir);
    if (options.perAppProxy) await stopProxy(proxyDir);
    instance.kill("SIGTERM");
    rmSync(root, { recursive: true, force: true });
  }
}

export interface FrontDoorCost {
  direct: VariantFigures;
  variants: VariantFigures[];
  /** The 1-minute load average when the run began and ended (on a shared machine it explains a lot). */
  loadAverage: { before: number; after: number };
}

/** Width of the first column: the longest variant name ("haproxy: publish port, http"). */
const NAME_WIDTH = 28;

export function formatFrontDoorCost(result: FrontDoorCost): string[] {
  const { direct, variants } = result;
  const lines = [
    `front-door cost (8 clients, a new connection per request; medians of the rounds; goal ≥ ${GOALS.ratio}× direct, p99 + ≤ ${GOALS.p99DeltaMs} ms)`,
    `  ${"".padEnd(NAME_WIDTH)} ${"req/s".padStart(7)} ${"×direct".padStart(8)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"p99 +ms".padStart(8)} ${"door µs/req".padStart(12)} ${"CPU-bound ×".padStart(12)} ${"errors".padStart(6)}  goal`,
    `  ${"direct".padEnd(NAME_WIDTH)} ${direct.rate.toFixed(0).padStart(7)} ${"1.00".padStart(8)} ${direct.p50.toFixed(1).padStart(7)} ${direct.p99.toFixed(1).padStart(7)} ${"".padStart(8)} ${`(${direct.clientAndInstanceUs?.toFixed(0) ?? "?"})`.padStart(12)} ${"".padStart(12)} ${String(direct.errors).padStart(6)}`,
  ];
  lines.push(
    `  load average ${result.loadAverage.before.toFixed(1)} → ${result.loadAverage.after.toFixed(1)} on ${cpus().length} CPUs; (n): load generator + instance CPU µs per request; "CPU-bound ×": (n) / ((n) + door µs/req)`,
  );
  for (const v of variants) {
    const met = v.ratio >= GOALS.ratio && v.p99DeltaMs <= GOALS.p99DeltaMs;
    lines.push(
      `  ${v.name.padEnd(NAME_WIDTH)} ${v.rate.toFixed(0).padStart(7)} ${v.ratio.toFixed(2).padStart(8)} ${v.p50.toFixed(1).padStart(7)} ${v.p99.toFixed(1).padStart(7)} ${v.p99DeltaMs.toFixed(1).padStart(8)} ${(v.cpuUsPerRequest?.toFixed(0) ?? "").padStart(12)} ${(v.cpuBoundRatio?.toFixed(2) ?? "").padStart(12)} ${String(v.errors).padStart(6)}  ${met ? "met" : "not met"}`,
    );
  }
  return lines;
}
