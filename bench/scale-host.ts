import { createHash } from "node:crypto";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../src/config/index.js";
import { storeRelease } from "../src/store/index.js";
import { REPO_ROOT } from "./bench-host.js";

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
  const fixture = join(REPO_ROOT, "test", "fixtures", "unikernels", `${release.fixture ?? "serve"}.mjs`);
  writeFileSync(path, readFileSync(fixture, "utf8").replaceAll("__VERSION__", release.version));
  chmodSync(path, 0o755);
  const bytes = readFileSync(path);
  const env = Object.entries(release.env ?? {})
    .map(([k, v]) => `${k}: "${v}"`)
    .join(", ");
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
  const stored = await storeRelease({
    to: repo,
    build: {
      buildId: `${release.app}-${release.version}`,
      app: release.app,
      commit: createHash("sha1").update(bytes).digest("hex"),
      durationMs: 0,
      config: parseConfig(yml),
      targets: [
        {
          target: "unix",
          deploy: true,
          artifacts: [
            {
              name: release.app,
              path,
              size: statSync(path).size,
              sha256: createHash("sha256").update(bytes).digest("hex"),
              mode: 0o755,
            },
          ],
        },
      ],
    },
  });
  return stored.release;
}

/** p-th percentile (0..100) of the samples, nearest rank; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
