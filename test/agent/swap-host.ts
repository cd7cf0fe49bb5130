import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { SkiffEvent } from "../../src/events/index.js";
import { isSameProcess } from "../../src/process/index.js";
import { commitAll, fixtureBuildYml, makeAppRepo, writeFixture } from "../support/app-repo.js";
import { freePort } from "../support/http.js";
import { SKIFF_BIN } from "../support/paths.js";
import { runSkiff, skiffOk, type SkiffRun } from "../support/run-skiff.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";

/** An app published on a free loopback address, its deployment repository and a host data dir. */
export interface SwapHost {
  app: string;
  appDir: string;
  repo: string;
  data: string;
  publish: string;
  url: string;
}

export interface ReleaseOptions {
  fixture?: string;
  version: string;
  strategy?: "blue-green" | "recreate";
  health?: string;
  /** deploy.env lines, e.g. { DIE_AFTER_MS: "500" }. */
  env?: Record<string, string>;
  confirm?: string;
  drain?: string;
  restart?: string;
}

export function swapYml(app: string, publish: string, options: ReleaseOptions): string {
  const env = Object.entries(options.env ?? {})
    .map(([k, v]) => `${k}: "${v}"`)
    .join(", ");
  return `${fixtureBuildYml(app)}deploy:
  driver: unix
  publish: ${publish}
  strategy: ${options.strategy ?? "blue-green"}
  confirm: ${options.confirm ?? "1s"}
  drain_timeout: ${options.drain ?? "2s"}
  stop_timeout: 2s
  env: { ${env} }
  restart: ${options.restart ?? "{ limit: 3, backoff: 200ms }"}
  health: ${options.health ?? "{ http: /, timeout: 10s, interval: 100ms }"}
`;
}

export async function makeSwapHost(app = "hello"): Promise<SwapHost> {
  const root = tempDir("skiff-swap-");
  const port = await freePort();
  const publish = `127.0.0.1:${port}`;
  const appDir = join(root, "app");
  makeAppRepo(appDir, { app, skiffYml: swapYml(app, publish, { version: "v0" }) });
  const data = join(root, "host");
  after(() => stopHost(data));
  return { app, appDir, repo: join(root, "deploy.git"), data, publish, url: `http://${publish}/` };
}

/** Builds and stores the next release; returns its number. */
export async function storeRelease(host: SwapHost, options: ReleaseOptions): Promise<number> {
  writeFixture(host.appDir, options.fixture ?? "serve", options.version);
  writeFileSync(join(host.appDir, "skiff.yml"), swapYml(host.app, host.publish, options));
  commitAll(host.appDir, `release ${options.version}`);
  await skiffOk(["build", "--dir", host.appDir]);
  const stored = await skiffOk(["store", "--to", host.repo, "--dir", host.appDir, "--json"]);
  return (JSON.parse(stored.stdout) as { release: number }).release;
}

export function runAgentOnce(host: SwapHost, env: NodeJS.ProcessEnv = {}): Promise<SkiffRun> {
  return runSkiff(["agent", "--repo", host.repo, "--data", host.data, "--once", "--json"], { env });
}

/** The real CLI agent as a child we can SIGKILL (its own process group, so its instances are not ours). */
export function spawnAgent(
  host: SwapHost,
  options: { env?: NodeJS.ProcessEnv; once?: boolean; poll?: string } = {},
): ChildProcess {
  const args = [SKIFF_BIN, "agent", "--repo", host.repo, "--data", host.data];
  args.push(...(options.once === false ? ["--poll", options.poll ?? "200ms"] : ["--once"]));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, SKIFF_LOG_LEVEL: "silent", ...options.env },
    stdio: "ignore",
  });
  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return child;
}

export interface StateApp {
  instances: {
    id: string;
    release: number;
    address: { host: string; port: number };
    handle: { pid: number; startTime: string };
    reason: string;
  }[];
  swap?: { phase: string };
  crashes?: { count: number; loop?: unknown };
  publicAddress?: string;
  stopped?: unknown;
  failed: { release: number }[];
  lastDeploy?: { release: number; ok: boolean };
}

export function readApp(host: SwapHost): StateApp | undefined {
  const path = join(host.data, "state.json");
  if (!existsSync(path)) return undefined;
  return (JSON.parse(readFileSync(path, "utf8")) as { apps: Record<string, StateApp> }).apps[host.app];
}

export function readEvents(data: string, options: { skipTorn?: boolean } = {}): SkiffEvent[] {
  const path = join(data, "events.jsonl");
  if (!existsSync(path)) return [];
  // A last line without its newline is being written now (a reader can see part of a write): not yet an event.
  return readFileSync(path, "utf8")
    .split("\n")
    .slice(0, -1)
    .filter(Boolean)
    .flatMap((line) => {
      // skipTorn: a line a full disk cut short (the disk-full tests); elsewhere a torn line fails the test.
      if (!options.skipTorn) return [JSON.parse(line) as SkiffEvent];
      try {
        return [JSON.parse(line) as SkiffEvent];
      } catch {
        return [];
      }
    });
}

/** Every instance process the host ever started (instance.started events) that still runs. */
export function liveInstances(
  data: string,
  options: { skipTorn?: boolean } = {},
): { id: string; pid: number }[] {
  return readEvents(data, options)
    .filter((e) => e.type === "instance.started")
    .map((e) => ({
      id: String(e.data?.instance),
      handle: e.data?.handle as { pid: number; startTime: string },
    }))
    .filter((i) => isSameProcess(i.handle.pid, i.handle.startTime))
    .map((i) => ({ id: i.id, pid: i.handle.pid }));
}

/** Polls until `check` returns a value (not undefined), or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
}
