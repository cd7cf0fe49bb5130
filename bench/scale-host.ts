import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readState } from "../src/agent/index.js";
import { envFlow, storeExecutable, writeFixtureExecutable } from "../test/support/fixture-release.js";

export interface ScaleApp {
  app: string;
  version: string;
  /** deploy.scale as YAML flow. */
  scale?: string;
  /** test/fixtures/unikernels/<fixture>.mjs (default serve). */
  fixture?: string;
  env?: Record<string, string>;
  confirm?: string;
  restart?: string;
}

/** Stores the next release of an app (unix, blue-green, a loopback publish port the door picks) into `repo`. */
export async function storeScaleApp(root: string, repo: string, release: ScaleApp): Promise<number> {
  const path = join(root, `${release.app}-${release.version}`);
  writeFixtureExecutable(path, release.fixture ?? "serve", release.version);
  const env = envFlow(release.env);
  const yml = `app: ${release.app}
build:
  command: "true"
  matrix:
    - target: unix
      artifact: _build/${release.app}
      deploy: true
deploy:
  driver: unix
  hostname: ${release.app}.localhost
${release.scale ? `  scale: ${release.scale}\n` : ""}  confirm: ${release.confirm ?? "0s"}
  drain_timeout: 1s
  stop_timeout: 2s
  env: { ${env} }
  restart: ${release.restart ?? "{ limit: 3, backoff: 200ms }"}
  health: { http: /, timeout: 10s, interval: 10ms }
`;
  return storeExecutable({ repo, app: release.app, version: release.version, yml, path });
}

/** p-th percentile (0..100) of the samples, nearest rank; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Whether `app` is scaled to zero on the host of `data`: asleep, no instance. */
export function asleep(data: string, app: string): boolean {
  const state = readState(data).apps[app];
  return state?.asleep !== undefined && state.instances.length === 0;
}

/** Polls `check` every 5 ms until it holds; throws after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(5);
  }
}
