// CLI start time: `skiff --help`, `skiff status --data D` (a data dir with a few apps, no agent
// running) and `skiff apps` against a skiff server (one the bench starts, or SKIFF_URL's), beside
// bare `node -e 0`, and --help and status from tsc's per-file output (dist/src, what bin/skiff.js
// ran before the bundle) beside them. The cases alternate run by run, so a busy machine slows each of them
// alike; one warm-up run each (it also fills Node's compile cache where there is one) is not counted.
// Run: npm run bench:cli [-- --runs 10] [-- --no-server]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import module from "node:module";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./bench-host.js";
import { parseBenchArgs } from "./bench-args.js";
import { startBenchServer, type BenchServer } from "./cli-server.js";

const USAGE = `usage: npm run bench:cli [-- --runs 10] [-- --no-server]
  measures skiff --help, skiff status --data D, skiff apps (remote) and bare node -e 0, alternating,
  medians (p50) and p90 of --runs runs each (at least 5); skiff apps asks SKIFF_URL (and SKIFF_TOKEN)
  when set, else a skiff server the bench starts on loopback (--no-server: skip it)`;
const { values } = parseBenchArgs(USAGE, {
  runs: { type: "string", default: "10" },
  "no-server": { type: "boolean", default: false },
});
const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 5) {
  process.stderr.write(
    `--runs ${values.runs}: give a whole number of at least 5 (a median of fewer says little)\n${USAGE}\n`,
  );
  process.exit(2);
}
const SKIFF_BIN = join(REPO_ROOT, "bin", "skiff.js");
/** The CLI from tsc's per-file output, run directly: what bin/skiff.js ran before the bundle. */
const UNBUNDLED_CLI = join(REPO_ROOT, "dist", "src", "cli", "main.js");

interface Case {
  name: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
  /** The p50 goal in ms, printed beside the figures. */
  goalMs?: number;
  /** Why the case is not measured in this run. */
  skipped?: string;
}

/** A data dir as an agent leaves it: three apps whose instances have exited (no agent, no process). */
function writeStatusDataDir(dir: string): void {
  const exited = spawnSync(process.execPath, ["-e", "0"]).pid;
  const app = (name: string, release: number, port: number): unknown => ({
    instance: {
      id: `${name}-${release}-bench`,
      driver: "unix",
      app: name,
      release,
      address: { host: "127.0.0.1", port },
      handle: { pid: exited },
      logPath: join(dir, "logs", `${name}.log`),
      startedAt: "2026-01-01T00:00:00.000Z",
    },
    lastDeploy: { release, ok: true, at: "2026-01-01T00:00:00.000Z" },
    failed: [],
    observedCurrent: release,
    publicAddress: `127.0.0.1:${port + 1000}`,
  });
  const apps = { hello: app("hello", 4, 18080), shop: app("shop", 12, 18081), api: app("api", 2, 18082) };
  writeFileSync(join(dir, "state.json"), JSON.stringify({ version: 1, apps }, null, 2) + "\n");
}

function runOnce(c: Case): number {
  const started = performance.now();
  const run = spawnSync(c.argv[0]!, c.argv.slice(1), {
    env: { ...process.env, SKIFF_LOG_LEVEL: "silent", ...c.env },
    stdio: ["ignore", "ignore", "pipe"],
    timeout: 60_000,
  });
  const ms = performance.now() - started;
  if (run.status !== 0) {
    throw new Error(`${c.name} exited ${run.status ?? run.signal}:\n${run.stderr.toString()}`);
  }
  return ms;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** The median: the middle run, or the mean of the two middle ones. */
function median(sorted: readonly number[]): number {
  const middle = sorted.length / 2;
  return Number.isInteger(middle) ? (sorted[middle - 1]! + sorted[middle]!) / 2 : sorted[Math.floor(middle)]!;
}

function compileCacheNote(): string {
  if (typeof (module as { enableCompileCache?: unknown }).enableCompileCache !== "function")
    return "compile cache: not in this node (22.1+ has it)";
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return "compile cache: off (NODE_DISABLE_COMPILE_CACHE)";
  return "compile cache: on";
}

/** The server `skiff apps` asks: SKIFF_URL's, or one started here; undefined: skipped. */
async function remoteFor(dir: string): Promise<{ env: NodeJS.ProcessEnv; server?: BenchServer } | undefined> {
  const url = process.env.SKIFF_URL;
  if (url) return { env: { SKIFF_URL: url } };
  if (values["no-server"]) return undefined;
  const server = await startBenchServer(SKIFF_BIN, dir);
  return { env: { SKIFF_URL: server.url, SKIFF_TOKEN: server.token, HOME: dir }, server };
}

function describeGoal(c: Case, p50: number): string {
  if (c.goalMs === undefined) return "";
  return `goal p50 ≤ ${c.goalMs} ms: ${p50 <= c.goalMs ? "met" : "missed"}`;
}

const root = mkdtempSync(join(tmpdir(), "skiff-bench-cli-"));
const data = join(root, "data");
let remote: Awaited<ReturnType<typeof remoteFor>>;
try {
  mkdirSync(data);
  writeStatusDataDir(data);
  remote = await remoteFor(root);
  const cases: Case[] = [
    { name: "node -e 0", argv: [process.execPath, "-e", "0"] },
    { name: "skiff --help", argv: [process.execPath, SKIFF_BIN, "--help"], goalMs: 150 },
    {
      name: "skiff status --data D",
      argv: [process.execPath, SKIFF_BIN, "status", "--data", data],
      goalMs: 150,
    },
    // The same commands without the bundle, side by side (docs/decisions.md, "One bundle per program").
    { name: "--help, unbundled", argv: [process.execPath, UNBUNDLED_CLI, "--help"] },
    { name: "status, unbundled", argv: [process.execPath, UNBUNDLED_CLI, "status", "--data", data] },
    {
      name: "skiff apps (remote)",
      argv: [process.execPath, SKIFF_BIN, "apps"],
      ...(remote ? { env: remote.env } : { skipped: "--no-server and no SKIFF_URL" }),
    },
  ];
  const measured = cases.filter((c) => c.skipped === undefined);
  const load = loadavg()[0]!.toFixed(1);
  for (const c of measured) runOnce(c);
  const times = new Map<Case, number[]>(measured.map((c) => [c, []]));
  for (let run = 0; run < RUNS; run++) for (const c of measured) times.get(c)!.push(runOnce(c));

  console.log(
    `CLI start, ${RUNS} runs each, alternating (node ${process.version}, ${compileCacheNote()}; load average ${load} → ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs)`,
  );
  console.log(`${"".padEnd(24)}${"p50".padStart(8)}${"p90".padStart(8)}`);
  for (const c of cases) {
    if (c.skipped !== undefined) {
      console.log(`${c.name.padEnd(24)}skipped: ${c.skipped}`);
      continue;
    }
    const sorted = times.get(c)!.sort((a, b) => a - b);
    const p50 = median(sorted);
    const figures = `${`${Math.round(p50)} ms`.padStart(8)}${`${Math.round(quantile(sorted, 0.9))} ms`.padStart(8)}`;
    console.log(`${c.name.padEnd(24)}${figures}   ${describeGoal(c, p50)}`.trimEnd());
  }
} finally {
  await remote?.server?.stop();
  rmSync(root, { recursive: true, force: true });
}
