import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../src/config/index.js";
import { measureObjects } from "../src/git/index.js";
import { collectGarbage, storeRelease } from "../src/store/index.js";
import { BENCH_APP, ensureBenchRepository, runCommand } from "./fleet-repo.js";

export interface GrowthOptions {
  releases: number;
  imageBytes: number;
  port: number;
  keep: number;
  runs: number;
  /** Stores through storeRelease + gc after each, from an empty repository (0: skipped). */
  steadyStores: number;
}

export interface GrowthFigures {
  /** Bytes of the repository's objects after `releases` releases, no gc. */
  withoutGc: number;
  /** The same repository after `skiff gc --keep N` (one figure per run; they are equal). */
  withGc: number[];
  gcMs: number[];
  /** After each store of the steady run (store, then gc): bytes of objects. */
  steady: number[];
}

/** The repository's size after `releases` releases with and without gc, and a steady store + gc run. */
export async function benchGrowth(options: GrowthOptions): Promise<GrowthFigures> {
  const repo = await ensureBenchRepository(options);
  const figures: GrowthFigures = {
    withoutGc: await measureObjects(join(repo, "objects")),
    withGc: [],
    gcMs: [],
    steady: [],
  };
  for (let run = 1; run <= options.runs; run++) {
    const scratch = mkdtempSync(join(tmpdir(), "skiff-bench-gc-"));
    try {
      const copy = join(scratch, "deploy.git");
      await runCommand("cp", ["-r", repo, copy]);
      const started = Date.now();
      const result = await collectGarbage({ repo: copy, keep: options.keep });
      figures.gcMs.push(Date.now() - started);
      figures.withGc.push(result.bytesAfter);
      process.stderr.write(
        `gc ${run}: ${(result.bytesBefore / 2 ** 20).toFixed(1)} → ${(result.bytesAfter / 2 ** 20).toFixed(1)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  if (options.steadyStores > 0) figures.steady = await steadyRun(options);
  return figures;
}

/** `skiff store --keep N --gc`, store after store, as a CI would run it. */
async function steadyRun(options: GrowthOptions): Promise<number[]> {
  const scratch = mkdtempSync(join(tmpdir(), "skiff-bench-steady-"));
  const repo = join(scratch, "deploy.git");
  const sizes: number[] = [];
  try {
    const config = parseConfig(`app: ${BENCH_APP}
build:
  command: "true"
  matrix:
    - target: unix
      artifact: _build/image
      deploy: true
deploy:
  driver: unix
  port: ${options.port}
`);
    for (let store = 1; store <= options.steadyStores; store++) {
      const path = join(scratch, "image");
      const bytes = randomBytes(options.imageBytes);
      writeFileSync(path, bytes);
      await storeRelease({
        to: repo,
        keep: options.keep,
        build: {
          buildId: `steady-${store}`,
          app: BENCH_APP,
          commit: createHash("sha1").update(`steady ${store}`).digest("hex"),
          durationMs: 0,
          config,
          targets: [
            {
              target: "unix",
              deploy: true,
              artifacts: [
                {
                  name: "image",
                  path,
                  size: bytes.length,
                  sha256: createHash("sha256").update(bytes).digest("hex"),
                  mode: 0o644,
                },
              ],
            },
          ],
        },
      });
      sizes.push((await collectGarbage({ repo, keep: options.keep })).bytesAfter);
    }
    return sizes;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
