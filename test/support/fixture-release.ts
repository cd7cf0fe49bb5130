import { createHash } from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../src/config/index.js";
import { storeRelease } from "../../src/store/index.js";
import { FIXTURES } from "./paths.js";

/** test/fixtures/unikernels/<fixture>.mjs at `version`, written to `path` as an executable. */
export function writeFixtureExecutable(path: string, fixture: string, version: string): void {
  const source = readFileSync(join(FIXTURES, "unikernels", `${fixture}.mjs`), "utf8");
  writeFileSync(path, source.replaceAll("__VERSION__", version));
  chmodSync(path, 0o755);
}

/** deploy.env as a YAML flow mapping's inside: `K: "v", …`. */
export function envFlow(env: Record<string, string> | undefined): string {
  return Object.entries(env ?? {})
    .map(([k, v]) => `${k}: "${v}"`)
    .join(", ");
}

/**
 * Stores the next release of `app` whose one unix artifact is the executable at `path`, with the
 * skiff.yml `yml`, without a build process (as a CI would after its own build); returns its number.
 */
export async function storeExecutable(options: {
  repo: string;
  app: string;
  version: string;
  yml: string;
  path: string;
}): Promise<number> {
  return storeArtifacts({
    ...options,
    target: "unix",
    files: [{ name: options.app, path: options.path, mode: 0o755 }],
  });
}

/**
 * Stores the next release of `app` whose one deployed target is `target` with the given artifact
 * files (a virtio kernel and initrd, say), without a build process; returns its number.
 */
export async function storeArtifacts(options: {
  repo: string;
  app: string;
  version: string;
  yml: string;
  target: string;
  files: readonly { name: string; path: string; mode?: number }[];
}): Promise<number> {
  const artifacts = options.files.map((file) => {
    const bytes = readFileSync(file.path);
    return {
      name: file.name,
      path: file.path,
      size: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      mode: file.mode ?? 0o644,
    };
  });
  const stored = await storeRelease({
    to: options.repo,
    build: {
      buildId: `${options.app}-${options.version}`,
      app: options.app,
      commit: createHash("sha1")
        .update(artifacts.map((a) => a.sha256).join())
        .digest("hex"),
      durationMs: 0,
      config: parseConfig(options.yml),
      targets: [{ target: options.target, deploy: true, artifacts }],
    },
  });
  return stored.release;
}
