// CLI start time: `skiff --help`, `skiff status --data D` (a data dir with a few apps, no agent
// running) and, given SKIFF_URL, `skiff apps` against that server, beside bare `node -e 0`.
// The cases alternate run by run, so a busy machine slows each of them alike; one warm-up run each
// (it also fills Node's compile cache where there is one) is not counted.
// Run: npm run bench:cli [-- --runs 20]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import module from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./bench-host.js";
import { parseBenchArgs } from "./bench-args.js";

const USAGE = `usage: npm run bench:cli [-- --runs 20]
  measures skiff --help, skiff status --data D and bare node -e 0, alternating, medians and p90;
  with SKIFF_URL (and SKIFF_TOKEN) set, also skiff apps against that server`;
const { values } = parseBenchArgs(USAGE, { runs: { type: "string", default: "20" } });
const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) {
  process.stderr.write(`--runs ${values.runs} is not a positive whole number\n${USAGE}\n`);
  process.exit(2);
}
const SKIFF_BIN = join(REPO_ROOT, "bin", "skiff.js");

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

function compileCacheNote(): string {
  if (typeof (module as { enableCompileCache?: unknown }).enableCompileCache !== "function")
    return "compile cache: not in this node (22.1+ has it)";
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return "compile cache: off (NODE_DISABLE_COMPILE_CACHE)";
  return "compile cache: on";
}

const data = mkdtempSync(join(tmpdir(), "skiff-bench-cli-"));
try {
  writeStatusDataDir(data);
  const url = process.env.SKIFF_URL;
  const cases: Case[] = [
    { name: "node -e 0", argv: [process.execPath, "-e", "0"] },
    { name: "skiff --help", argv: [process.execPath, SKIFF_BIN, "--help"], goalMs: 150 },
    {
      name: "skiff status --data D",
      argv: [process.execPath, SKIFF_BIN, "status", "--data", data],
      goalMs: 150,
    },
    {
      name: "skiff apps (remote)",
      argv: [process.execPath, SKIFF_BIN, "apps"],
      ...(url
        ? { env: { SKIFF_URL: url } }
        : { skipped: "set SKIFF_URL (and SKIFF_TOKEN) to a running skiff server to measure it" }),
    },
  ];
  const measured = cases.filter((c) => c.skipped === undefined);
  for (const c of measured) runOnce(c);
  const times = new Map<Case, number[]>(measured.map((c) => [c, []]));
  for (let run = 0; run < RUNS; run++) for (const c of measured) times.get(c)!.push(runOnce(c));

  console.log(`CLI start, ${RUNS} runs each, alternating (node ${process.version}, ${compileCacheNote()})`);
  console.log(`${"".padEnd(24)}${"p50".padStart(8)}${"p90".padStart(8)}   goal`);
  for (const c of cases) {
    if (c.skipped !== undefined) {
      console.log(`${c.name.padEnd(24)}skipped: ${c.skipped}`);
      continue;
    }
    const sorted = times.get(c)!.sort((a, b) => a - b);
    const p50 = quantile(sorted, 0.5);
    const goal =
      c.goalMs === undefined ? "-" : `p50 <= ${c.goalMs} ms: ${p50 <= c.goalMs ? "met" : "missed"}`;
    console.log(
      `${c.name.padEnd(24)}${`${Math.round(p50)} ms`.padStart(8)}${`${Math.round(quantile(sorted, 0.9))} ms`.padStart(8)}   ${goal}`,
    );
  }
} finally {
  rmSync(data, { recursive: true, force: true });
}
