// Swaps under load: 50 releases back to back on the public address, blue-green against recreate,
// and the proxy's own overhead. Run: node dist/bench/swap-under-load.js [--releases 50] [--rate 200] [--json]
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stopApp } from "../src/agent/index.js";
import { findFreePort } from "../src/agent/index.js";
import { runLoad, summarizeSamples, type LoadSample, type LoadSummary } from "../src/load/index.js";
import { ensureProxy, stopProxy } from "../src/proxy/index.js";
import {
  REPO_ROOT,
  PROXY_REPLAY,
  WINDOWS,
  readEvents,
  spawnBenchAgent,
  storeBenchRelease,
  waitForDeploy,
  type BenchHost,
  type ReleaseKind,
  type Strategy,
} from "./bench-host.js";
import { parseBenchArgs } from "./bench-args.js";

const { values } = parseBenchArgs(
  "usage: node dist/bench/swap-under-load.js [--releases 50] [--rate 200] [--json]",
  {
    releases: { type: "string", default: "50" },
    rate: { type: "string", default: "200" },
    json: { type: "boolean", default: false },
  },
);
const RELEASES = Number(values.releases);
const RATE = Number(values.rate);

/** Every fifth release fails its health check; one (the 23rd, or the 3rd of a short run) crashes inside the window. */
function kindOf(index: number): ReleaseKind {
  if (index % 5 === 0) return "unhealthy";
  if (index === (RELEASES >= 23 ? 23 : 3)) return "crash-in-window";
  return "serve";
}

interface StrategyFigures {
  strategy: Strategy;
  deploys: { ok: number; failed: number; rolledBack: number };
  total: LoadSummary;
  steady: LoadSummary;
  swapping: LoadSummary;
  /** From the crashing release's deploy start until the next release is stored: what the crash cost. */
  crashRelease: LoadSummary;
  /** Every request that failed, with the agent event just before it was sent: where failures happen. */
  failures: { t: number; latencyMs: number; error?: string; status?: number; after: string }[];
  durationS: number;
}

/** Names the last agent event before each failed request was sent ("proxy.switched r23 +41ms"). */
function locateFailures(samples: readonly LoadSample[], data: string, startedAt: number) {
  const events = readEvents(data).map((e) => ({ at: Date.parse(e.time), type: e.type, release: e.release }));
  return samples
    .filter((s) => !s.ok)
    .map((s) => {
      const sent = startedAt + s.t;
      const before = events.filter((e) => e.at <= sent).at(-1);
      const release = before?.release === undefined ? "" : ` r${before.release}`;
      const after = before ? `${before.type}${release} +${Math.round(sent - before.at)}ms` : "start";
      return { t: s.t, latencyMs: s.latencyMs, error: s.error, status: s.status, after };
    });
}

function within(
  samples: readonly LoadSample[],
  windows: { from: number; to: number }[],
  inside: boolean,
): LoadSample[] {
  return samples.filter((s) => windows.some((w) => s.t >= w.from && s.t < w.to) === inside);
}

async function runStrategy(strategy: Strategy, root: string): Promise<StrategyFigures> {
  const port = await findFreePort();
  const host: BenchHost = {
    app: "bench",
    root: join(root, strategy),
    repo: join(root, strategy, "deploy.git"),
    data: join(root, strategy, "host"),
    publish: `127.0.0.1:${port}`,
    strategy,
  };
  await storeBenchRelease(host, "serve", "v1");
  const agent = spawnBenchAgent(host);
  try {
    await waitForDeploy(host.data, 1);
    const stop = new AbortController();
    const load = runLoad({
      url: `http://${host.publish}/`,
      rate: RATE,
      durationMs: 600_000,
      maxRequests: RATE * 600,
      timeoutMs: 10_000,
      signal: stop.signal,
    });
    const startedAt = Date.now();
    await sleep(1000);
    const windows: { from: number; to: number }[] = [];
    const crash = { from: 0, to: 0 };
    const deploys = { ok: 0, failed: 0, rolledBack: 0 };
    for (let index = 2; index <= RELEASES + 1; index += 1) {
      const release = await storeBenchRelease(host, kindOf(index), `v${index}`);
      const deploy = await waitForDeploy(host.data, release);
      windows.push({ from: deploy.from - startedAt, to: deploy.to - startedAt + 50 });
      if (crash.from > 0 && crash.to === 0) crash.to = deploy.from - startedAt;
      if (kindOf(index) === "crash-in-window") crash.from = deploy.from - startedAt;
      if (deploy.ok) deploys.ok += 1;
      else if (deploy.code === "ERR_SKIFF_ROLLED_BACK") deploys.rolledBack += 1;
      else deploys.failed += 1;
      process.stderr.write(`\r${strategy}: ${index - 1}/${RELEASES} releases`);
    }
    await sleep(1000);
    stop.abort();
    const result = await load;
    process.stderr.write("\n");
    return {
      strategy,
      deploys,
      total: summarizeSamples(result.samples),
      steady: summarizeSamples(within(result.samples, windows, false)),
      swapping: summarizeSamples(within(result.samples, windows, true)),
      crashRelease: summarizeSamples(result.samples, { fromMs: crash.from, toMs: crash.to || Infinity }),
      failures: locateFailures(result.samples, host.data, result.startedAt),
      durationS: (Date.now() - startedAt) / 1000,
    };
  } finally {
    agent.kill("SIGTERM");
    await once(agent, "exit");
    // The agent leaves instances running when it stops (by design); the bench must not.
    await stopApp(host.data, host.app).catch(() => undefined);
    await stopProxy(join(host.data, "proxies", host.app));
    await sleep(200);
  }
}

/** Throughput and p99 straight to one instance and through a proxy in front of it, alternating, same run. */
async function measureProxyOverhead(root: string) {
  const backendPort = await findFreePort();
  const backend = spawn(
    process.execPath,
    [join(REPO_ROOT, "test", "fixtures", "unikernels", "serve.mjs"), `--port=${backendPort}`],
    { stdio: "ignore" },
  );
  const proxyPort = await findFreePort();
  const dir = join(root, "proxy");
  await ensureProxy({
    app: "bench",
    listen: `127.0.0.1:${proxyPort}`,
    dir,
    backend: { host: "127.0.0.1", port: backendPort! },
  });
  await sleep(300);
  const rounds: Record<"direct" | "proxy", LoadSummary[]> = { direct: [], proxy: [] };
  try {
    for (let round = 0; round < 2; round += 1) {
      for (const [name, port] of [
        ["direct", backendPort],
        ["proxy", proxyPort],
      ] as const) {
        const result = await runLoad({
          url: `http://127.0.0.1:${port}/`,
          concurrency: 8,
          durationMs: 4000,
          maxRequests: 200_000,
        });
        rounds[name].push(result);
      }
    }
  } finally {
    await stopProxy(dir);
    backend.kill("SIGTERM");
  }
  const merge = (list: LoadSummary[]) => ({
    rate: list.reduce((a, r) => a + r.rate, 0) / list.length,
    p99: Math.max(...list.map((r) => r.latency.p99)),
    errors: list.reduce((a, r) => a + r.errors + r.non2xx, 0),
  });
  return { direct: merge(rounds.direct), proxy: merge(rounds.proxy) };
}

function row(label: string, s: LoadSummary): string {
  return `${label.padEnd(24)} ${String(s.requests).padStart(8)} ${String(s.non2xx).padStart(7)} ${String(s.errors).padStart(8)} ${s.latency.p50.toFixed(1).padStart(8)} ${s.latency.p99.toFixed(1).padStart(8)}`;
}

const root = mkdtempSync(join(tmpdir(), "skiff-bench-"));
try {
  const figures = [await runStrategy("blue-green", root), await runStrategy("recreate", root)];
  const overhead = await measureProxyOverhead(root);
  if (values.json) {
    console.log(
      JSON.stringify(
        { releases: RELEASES, rate: RATE, windows: WINDOWS, proxyReplay: PROXY_REPLAY, figures, overhead },
        null,
        2,
      ),
    );
  } else {
    console.log(
      `swap-under-load: ${RELEASES} releases per strategy at ${RATE} req/s (new connection per request), every 5th unhealthy, one crashing inside the confirmation window`,
    );
    console.log(
      `short windows to fit the run in minutes: confirm ${WINDOWS.confirm}, drain_timeout ${WINDOWS.drain}, health timeout ${WINDOWS.healthTimeout}, poll 100ms`,
    );
    console.log(
      `deploy.proxy.replay: ${PROXY_REPLAY} for both strategies (the load is GETs: a request the backend closed without answering is sent again)`,
    );
    console.log(
      `${"".padEnd(24)} ${"requests".padStart(8)} ${"non2xx".padStart(7)} ${"conn err".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)}`,
    );
    for (const f of figures) {
      console.log(
        `${f.strategy}: ${f.deploys.ok} swapped, ${f.deploys.failed} failed their health check, ${f.deploys.rolledBack} rolled back, ${f.durationS.toFixed(0)}s`,
      );
      console.log(row("  total", f.total));
      console.log(row("  steady state", f.steady));
      console.log(row("  during swaps", f.swapping));
      console.log(row("  crashing release", f.crashRelease));
      for (const x of f.failures)
        console.log(`  failed at ${(x.t / 1000).toFixed(2)}s: ${x.error ?? x.status}, sent after ${x.after}`);
    }
    console.log(`proxy overhead (8 clients, new connection per request, 2×4s each, alternating):`);
    console.log(
      `  direct  ${overhead.direct.rate.toFixed(0)} req/s  p99 ${overhead.direct.p99.toFixed(1)} ms  errors ${overhead.direct.errors}`,
    );
    console.log(
      `  proxy   ${overhead.proxy.rate.toFixed(0)} req/s  p99 ${overhead.proxy.p99.toFixed(1)} ms  errors ${overhead.proxy.errors}`,
    );
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
