// Push to live: N pushes of a one-line change to examples/hello per phase, each timed from the start
// of `git push` until the new version is served on an agent's public address. Phases: the server's
// embedded agent alone; a remote agent triggered by webhook; a remote agent that only polls (each
// remote agent stands for another host, so each has a phase of its own beside the server, whose
// embedded agent deploys too); with --together, all three at once on the same cores.
// Run: npm run bench:push, or node dist/bench/push-to-live.js [--pushes 20] [--followers webhook,poll]
//      [--together] [--json] [--keep]
// Profile: SKIFF_TRACE_PROCESSES=/tmp/trace.jsonl node dist/bench/push-to-live.js --pushes 3, then
// node dist/bench/trace-timeline.js /tmp/trace.jsonl (every process the parts ran, per push).
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { connect } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { findFreePort } from "../src/agent/index.js";
import { readStatus, stopApp } from "../src/agent/index.js";
import { traceMark } from "../src/process/index.js";
import { REPO_ROOT } from "./bench-host.js";
import { parseBenchArgs } from "./bench-args.js";

const { values } = parseBenchArgs(
  "usage: node dist/bench/push-to-live.js [--pushes 20] [--followers webhook,poll] [--together] [--json] [--keep]",
  {
    pushes: { type: "string", default: "20" },
    json: { type: "boolean", default: false },
    // Keep the servers' and agents' data dirs (events.jsonl, pushes.jsonl) for a closer look.
    keep: { type: "boolean", default: false },
    // The remote agents measured, each in a phase of its own beside the server: webhook, poll.
    followers: { type: "string", default: "webhook,poll" },
    // One more phase: the embedded agent and both remote agents deploying every push at once.
    together: { type: "boolean", default: false },
  },
);
const PUSHES = Number(values.pushes);
const SKIFF = join(REPO_ROOT, "bin", "skiff.js");
const ENV = { ...process.env, SKIFF_LOG_LEVEL: "silent", GIT_TERMINAL_PROMPT: "0" };
const STAGES = ["receive", "build", "test", "store", "detect", "boot", "health", "switch", "seen"] as const;

interface Follower {
  name: string;
  data: string;
  url: string;
}
type Sample = Record<(typeof STAGES)[number] | "total" | "overhead", number>;

function run(file: string, args: string[], cwd = REPO_ROOT): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd, env: ENV, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("close", (code) => resolve({ code, out }));
  });
}

async function startServer(data: string, port: number, hookPort: number, secretFile: string) {
  const child = spawn(
    process.execPath,
    [SKIFF, "server", "--data", data, "--listen", `127.0.0.1:${port}`, "--json"].concat([
      "--follower",
      `http://127.0.0.1:${hookPort}`,
      "--webhook-secret-file",
      secretFile,
    ]),
    { env: ENV, stdio: ["ignore", "pipe", "ignore"] },
  );
  let stdout = "";
  for await (const chunk of child.stdout) {
    stdout += String(chunk);
    try {
      return { child, ...(JSON.parse(stdout) as { url: string; token: string }) };
    } catch {
      // more to come
    }
  }
  throw new Error("skiff server did not start");
}

function startAgent(repo: string, data: string, extra: string[]): ChildProcess {
  return spawn(process.execPath, [SKIFF, "agent", "--repo", repo, "--data", data, ...extra], {
    env: ENV,
    stdio: "ignore",
  });
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Whether `url` serves `version`: one GET on a fresh connection (through the proxy a kept-alive one
 * stays with the instance it was opened to). A raw socket, not fetch(): the client asks every
 * 10 ms, and a fetch() costs ≈ 1.5 ms of CPU each, taken from the machine it measures.
 */
function serves(url: string, version: number): Promise<true | undefined> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(1000, () => socket.destroy(new Error("timed out")));
    socket.on("connect", () => socket.end(`GET ${pathname} HTTP/1.0\r\nHost: ${hostname}\r\n\r\n`));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () =>
      resolve(Buffer.concat(chunks).toString("latin1").includes(`version ${version}<`) ? true : undefined),
    );
  });
}

function eventTimes(data: string, release: number): Map<string, number> {
  const times = new Map<string, number>();
  for (const line of readFileSync(join(data, "events.jsonl"), "utf8").split("\n")) {
    if (!line.includes(`"release":${release},`)) continue;
    const event = JSON.parse(line) as { type: string; time: string; data?: { phase?: string } };
    const type = event.type === "swap.phase" ? `swap.${event.data?.phase}` : event.type;
    if (!times.has(type)) times.set(type, Date.parse(event.time));
  }
  return times;
}

function lastPush(serverData: string): {
  startedAt: number;
  storedAt: number;
  timings: Record<string, number>;
} {
  const lines = readFileSync(join(serverData, "pushes.jsonl"), "utf8").trim().split("\n");
  return JSON.parse(lines.at(-1)!) as {
    startedAt: number;
    storedAt: number;
    timings: Record<string, number>;
  };
}

function sampleOf(
  start: number,
  seenAt: number,
  push: ReturnType<typeof lastPush>,
  events: Map<string, number>,
): Sample {
  const at = (type: string): number => events.get(type) ?? NaN;
  const s = {
    receive: push.startedAt - start,
    build: push.timings.build ?? 0,
    test: push.timings.test ?? 0,
    store: push.timings.store ?? 0,
    detect: at("swap.starting") - push.storedAt,
    boot: at("instance.started") - at("swap.starting"),
    health: at("health.ok") - at("instance.started"),
    switch: at("proxy.switched") - at("health.ok"),
    seen: seenAt - at("proxy.switched"),
    total: seenAt - start,
  };
  return { ...s, overhead: s.total - s.build - s.test - s.boot };
}

function percentile(values: number[], p: number): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Who deploys during a phase: the embedded agent always (it is the server's), plus remote followers. */
interface Phase {
  name: string;
  followers: ("webhook" | "poll")[];
  /** The agents whose figures this phase reports. */
  measured: string[];
}

/**
 * Each remote agent stands for another host: by default each is measured in a phase of its own
 * beside the server (the embedded agent deploys too, as it would), then, with --together, all three
 * at once on the same 2 cores.
 */
function phases(): Phase[] {
  const only = new Set(values.followers.split(",").filter(Boolean));
  const list: Phase[] = [{ name: "embedded", followers: [], measured: ["embedded"] }];
  if (only.has("webhook")) list.push({ name: "webhook", followers: ["webhook"], measured: ["webhook"] });
  if (only.has("poll")) list.push({ name: "poll 5s", followers: ["poll"], measured: ["poll 5s"] });
  if (values.together) {
    list.push({
      name: "together",
      followers: ["webhook", "poll"],
      measured: ["embedded", "webhook", "poll 5s"],
    });
  }
  return list;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "skiff-bench-push-"));
  const children: ChildProcess[] = [];
  const serverData = join(root, "server");
  try {
    const secretFile = join(root, "secret");
    writeFileSync(secretFile, "bench-secret\n");
    const hookPort = (await findFreePort("127.0.0.1")) ?? 0;
    const serverPort = (await findFreePort("127.0.0.1")) ?? 0;
    const server = await startServer(serverData, serverPort, hookPort, secretFile);
    children.push(server.child);
    const readOnly = (
      await run(process.execPath, [SKIFF, "server", "token", "create", "--read-only", "--data", serverData])
    ).out
      .split("\n")[0]!
      .trim();
    const app = join(root, "hello");
    cpSync(join(REPO_ROOT, "examples", "hello"), app, {
      recursive: true,
      filter: (src) => !src.includes("_build"),
    });
    // No fixed publish address: each agent on this one host gets its own.
    const yml = join(app, "skiff.yml");
    writeFileSync(yml, readFileSync(yml, "utf8").replace(/^ {2}publish: .*\n/m, ""));
    const pushUrl = server.url.replace("http://", `http://git:${server.token}@`) + "/hello.git";
    const deployUrl = server.url.replace("http://", `http://git:${readOnly}@`) + "/deploy.git";
    let version = 1;
    const commit = async (): Promise<void> => {
      const makefile = join(app, "Makefile");
      writeFileSync(
        makefile,
        readFileSync(makefile, "utf8").replace(/^VERSION \?= .*$/m, `VERSION ?= ${version}`),
      );
      await run("git", ["add", "-A"], app);
      await run(
        "git",
        ["-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm", `v${version}`],
        app,
      );
    };
    await run("git", ["init", "-q", "-b", "main"], app);
    await commit();
    const first = await run("git", ["push", pushUrl, "main"], app);
    if (first.code !== 0) throw new Error(`first push failed:\n${first.out}`);
    const embedded: Follower = { name: "embedded", data: join(serverData, "agent"), url: "" };
    const columns = new Map<string, Sample[]>();
    for (const phase of phases()) {
      const agents: Follower[] = [embedded];
      const started: ChildProcess[] = [];
      const stamp = phase.name.replace(/\W+/g, "-");
      for (const kind of phase.followers) {
        const data = join(root, `${kind}-${stamp}`);
        const extra =
          kind === "webhook"
            ? ["--poll", "1h", "--listen", `127.0.0.1:${hookPort}`, "--webhook-secret-file", secretFile]
            : ["--poll", "5s"];
        started.push(startAgent(deployUrl, data, extra));
        agents.push({ name: kind === "webhook" ? "webhook" : "poll 5s", data, url: "" });
      }
      children.push(...started);
      for (const agent of agents) {
        agent.url = await waitFor(`${agent.name} serving`, async () => {
          const status = existsSync(join(agent.data, "state.json"))
            ? (await readStatus(agent.data))[0]
            : undefined;
          return status?.url && (await serves(status.url, version)) ? status.url : undefined;
        });
      }
      for (let i = 0; i < PUSHES; i++) {
        version += 1;
        await commit();
        const start = Date.now();
        traceMark(`push ${version} start`, start);
        const push = run("git", ["push", pushUrl, "main"], app);
        const seen = agents.map((agent) =>
          waitFor(`${agent.name} v${version}`, () => serves(agent.url, version)).then(() => Date.now()),
        );
        const pushed = await push;
        if (pushed.code !== 0) throw new Error(`push ${version} failed:\n${pushed.out}`);
        const seenAt = await Promise.all(seen);
        agents.forEach((agent, k) => traceMark(`push ${version} seen by ${agent.name}`, seenAt[k]));
        const record = lastPush(serverData);
        agents.forEach((agent, k) => {
          if (!phase.measured.includes(agent.name)) return;
          const column = phase.followers.length > 1 ? `${agent.name} (together)` : agent.name;
          const sample = sampleOf(start, seenAt[k]!, record, eventTimes(agent.data, version));
          columns.set(column, [...(columns.get(column) ?? []), sample]);
        });
        process.stderr.write(
          `${phase.name} push ${i + 1}/${PUSHES}: ${agents.map((a, k) => `${a.name} ${seenAt[k]! - start}ms`).join(", ")}\n`,
        );
      }
      // The phase's followers leave, and take their instances with them.
      for (const child of started) child.kill("SIGTERM");
      await Promise.all(started.map((child) => once(child, "exit")));
      for (const agent of agents.slice(1)) await stopApp(agent.data, "hello").catch(() => undefined);
    }
    report(columns);
    await stopApp(embedded.data, "hello").catch(() => undefined);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    await sleep(500);
    if (values.keep) process.stderr.write(`kept ${root}\n`);
    else rmSync(root, { recursive: true, force: true });
  }
}

function report(samples: Map<string, Sample[]>): void {
  const names = [...samples.keys()];
  const rows = [...STAGES, "total", "overhead"] as const;
  if (values.json) {
    const out = Object.fromEntries(
      names.map((n) => [
        n,
        Object.fromEntries(
          rows.map((r) => [
            r,
            {
              p50: percentile(
                samples.get(n)!.map((s) => s[r]),
                50,
              ),
              p95: percentile(
                samples.get(n)!.map((s) => s[r]),
                95,
              ),
            },
          ]),
        ),
      ]),
    );
    process.stdout.write(JSON.stringify({ pushes: PUSHES, agents: out }, null, 2) + "\n");
    return;
  }
  const width = Math.max(14, ...names.map((n) => n.length + 2));
  const cell = (n: string, r: (typeof rows)[number]): string => {
    const list = samples.get(n)!.map((s) => s[r]);
    return `${Math.round(percentile(list, 50))} / ${Math.round(percentile(list, 95))}`.padStart(width);
  };
  process.stdout.write(
    `push to live, ${PUSHES} pushes of examples/hello per phase (ms, p50 / p95); each remote agent in a phase of its own beside the server${values.together ? ", then all at once (together)" : ""}\n`,
  );
  process.stdout.write(`${"stage".padEnd(10)}${names.map((n) => n.padStart(width)).join("")}\n`);
  for (const r of rows) process.stdout.write(`${r.padEnd(10)}${names.map((n) => cell(n, r)).join("")}\n`);
}

await main();
