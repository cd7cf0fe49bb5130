import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../src/config/index.js";
import type { SkiffEvent } from "../src/events/index.js";
import { storeRelease } from "../src/store/index.js";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const FIXTURES = join(REPO_ROOT, "test", "fixtures", "unikernels");
const SKIFF_BIN = join(REPO_ROOT, "bin", "skiff.js");

export type Strategy = "blue-green" | "recreate";
export type ReleaseKind = "serve" | "unhealthy" | "crash-in-window";

export interface BenchHost {
  app: string;
  root: string;
  repo: string;
  data: string;
  publish: string;
  strategy: Strategy;
}

/** skiff.yml of one release; short windows so 50 deploys fit in minutes (printed with the results). */
export const WINDOWS = { confirm: "500ms", drain: "1s", healthTimeout: "1s", interval: "50ms" };

/** deploy.proxy.replay for both strategies: the load is GETs only, which are safe to send twice. */
export const PROXY_REPLAY = true;

function skiffYml(host: BenchHost, kind: ReleaseKind): string {
  return `app: ${host.app}
build:
  command: "true"
  matrix:
    - target: unix
      artifact: _build/${host.app}
      deploy: true
deploy:
  driver: unix
  publish: ${host.publish}
  strategy: ${host.strategy}
  confirm: ${WINDOWS.confirm}
  drain_timeout: ${WINDOWS.drain}
  stop_timeout: 2s
  proxy: { replay: ${PROXY_REPLAY} }
  env: { DIE_AFTER_MS: "${kind === "crash-in-window" ? 250 : 0}" }
  health: { http: /, timeout: ${WINDOWS.healthTimeout}, interval: ${WINDOWS.interval} }
`;
}

/** Stores release `version` of a fake unikernel straight from the library (no build step: faster, same repository). */
export async function storeBenchRelease(
  host: BenchHost,
  kind: ReleaseKind,
  version: string,
): Promise<number> {
  const fixture = kind === "serve" ? "serve" : kind === "unhealthy" ? "hang" : "die-after";
  const content = readFileSync(join(FIXTURES, `${fixture}.mjs`), "utf8").replaceAll("__VERSION__", version);
  const dir = join(host.root, "build", version);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, host.app);
  writeFileSync(path, content);
  chmodSync(path, 0o755);
  const sha256 = createHash("sha256").update(content).digest("hex");
  const result = await storeRelease({
    to: host.repo,
    build: {
      buildId: `bench-${version}`,
      app: host.app,
      commit: createHash("sha1").update(version).digest("hex"),
      durationMs: 0,
      config: parseConfig(skiffYml(host, kind)),
      targets: [
        {
          target: "unix",
          deploy: true,
          artifacts: [{ name: host.app, path, size: Buffer.byteLength(content), sha256, mode: 0o755 }],
        },
      ],
    },
  });
  return result.release;
}

/** The real agent as a child process, polling the deployment repository every 100 ms. */
export function spawnBenchAgent(host: BenchHost): ChildProcess {
  return spawn(
    process.execPath,
    [SKIFF_BIN, "agent", "--repo", host.repo, "--data", host.data, "--poll", "100ms"],
    {
      env: { ...process.env, SKIFF_LOG_LEVEL: "silent" },
      stdio: "ignore",
    },
  );
}

export function readEvents(data: string): SkiffEvent[] {
  const path = join(data, "events.jsonl");
  if (!existsSync(path)) return [];
  // The agent may be appending right now: a last line without its newline is not complete yet.
  const lines = readFileSync(path, "utf8").split("\n").slice(0, -1);
  return lines.filter(Boolean).map((line) => JSON.parse(line) as SkiffEvent);
}

/** Waits (bounded) for the deploy of `release` to end; returns its start and end times and outcome. */
export async function waitForDeploy(
  data: string,
  release: number,
  timeoutMs = 30_000,
): Promise<{ from: number; to: number; ok: boolean; code?: string }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const events = readEvents(data).filter((e) => e.release === release);
    const end = events.find((e) => e.type === "deploy.succeeded" || e.type === "deploy.failed");
    const start = events.find((e) => e.type === "deploy.started");
    if (end !== undefined && start !== undefined) {
      return {
        from: Date.parse(start.time),
        to: Date.parse(end.time),
        ok: end.type === "deploy.succeeded",
        ...(end.error ? { code: end.error.code } : {}),
      };
    }
    await sleep(20);
  }
  throw new Error(`release ${release} was not deployed within ${timeoutMs}ms`);
}
