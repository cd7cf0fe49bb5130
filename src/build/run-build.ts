import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CONFIG_FILE, loadConfigInWorker, type MatrixEntry, type SkiffConfig } from "../config/index.js";
import { SkiffError, isSkiffError, serializeError } from "../errors/index.js";
import { probeSandbox } from "../process/index.js";
import { CheckoutSupply } from "./checkout-supply.js";
import {
  CACHE_FOLDER,
  createBuildFolder,
  defaultBuildsDir,
  markLatest,
  writeSummary,
} from "./build-folder.js";
import { createBuildTemp } from "./build-temp.js";
import { pruneBuilds } from "./prune-builds.js";
import { resolveSource, type BuildSource } from "./resolve-source.js";
import { createTargetRecord, runTarget } from "./run-target.js";
import { BUILD_SUMMARY_VERSION, type BuildSummary } from "./summary-schema.js";
import type { RunBuildOptions } from "./types.js";

/**
 * Runs the build matrix of one commit: every entry (or only options.target) in its own clean
 * checkout, build then test, then collects its artifacts into <outDir>/<buildId>/.
 */
export async function runBuild(options: RunBuildOptions): Promise<BuildSummary> {
  const source = options.source ?? (await resolveSource(options));
  const outDir = await prepareOutDir(source, options.outDir);
  const started = new Date();
  const clock = performance.now();
  const temp = await createBuildTemp(options.tempDir);
  const checkouts = new CheckoutSupply(source, temp);
  try {
    // skiff.yml comes from the commit being built; that first checkout then serves the first entry.
    let spare: string | undefined = await checkouts.take();
    const config = await readCommittedConfig(spare, source);
    await warnIfUnsandboxed(options);
    const entries = selectEntries(config, options.target);
    const { buildId, dir } = await createBuildFolder(outDir, source.commit, started);
    const cacheDir = resolve(options.cacheDir ?? join(outDir, CACHE_FOLDER));
    await mkdir(cacheDir, { recursive: true });
    const summary: BuildSummary = {
      version: BUILD_SUMMARY_VERSION,
      buildId,
      dir,
      app: config.app,
      commit: source.commit,
      repository: source.repository,
      ...(source.branch === undefined ? {} : { branch: source.branch }),
      status: "failed",
      started: started.toISOString(),
      durationMs: 0,
      config,
      targets: [],
    };
    try {
      for (const [index, entry] of entries.entries()) {
        throwIfAborted(options.signal, entry.target);
        const dest: string = spare ?? (await checkouts.take());
        spare = undefined;
        if (index + 1 < entries.length) checkouts.prepare();
        const record = createTargetRecord(entry);
        summary.targets.push(record);
        // The commands' own TMPDIR (unsandboxed; bubblewrap gives them a private /tmp): inside the
        // build's scratch, so what a step cut short leaves there goes with it, not to the host's TMPDIR.
        const tempDir = await mkdtemp(join(temp, "tmpdir-"));
        try {
          await runTarget({
            ...options,
            entry,
            build: config.build,
            checkout: dest,
            buildDir: dir,
            record,
            tempDir,
            cacheDir,
          });
        } finally {
          // Targets must not see each other's outputs, and checkouts can be big.
          await rm(dest, { recursive: true, force: true });
          await rm(tempDir, { recursive: true, force: true });
        }
      }
      summary.status = "succeeded";
    } catch (error) {
      summary.error = serializeError(error);
      throw withBuildId(error, buildId);
    } finally {
      summary.durationMs = Math.round(performance.now() - clock);
      await writeSummary(summary);
    }
    await markLatest(outDir, buildId);
    return summary;
  } finally {
    await checkouts.close();
    await rm(temp, { recursive: true, force: true });
    if (options.keepBuilds !== undefined) await pruneBuilds({ outDir, keep: options.keepBuilds });
  }
}

async function warnIfUnsandboxed(options: RunBuildOptions): Promise<void> {
  const sandbox = await probeSandbox();
  if (sandbox.kind === "none") options.onWarning?.(`the build runs without a sandbox: ${sandbox.reason}`);
}

async function prepareOutDir(source: BuildSource, outDir: string | undefined): Promise<string> {
  if (outDir !== undefined) return resolve(outDir);
  const dir = defaultBuildsDir(source.repo);
  await mkdir(dir, { recursive: true });
  // Keep build output out of the user's `git add -A`.
  const ignore = join(source.repo, ".skiff", ".gitignore");
  if (source.kind === "work-tree" && !existsSync(ignore)) await writeFile(ignore, "*\n");
  return dir;
}

async function readCommittedConfig(checkout: string, source: BuildSource): Promise<SkiffConfig> {
  try {
    // Off the event loop: the file is the pusher's, and yaml can be slow on hostile input.
    return await loadConfigInWorker(checkout, { displayName: CONFIG_FILE });
  } catch (error) {
    if (isSkiffError(error) && error.code === "ERR_SKIFF_CONFIG_NOT_FOUND") {
      throw new SkiffError(
        "ERR_SKIFF_CONFIG_NOT_FOUND",
        `commit ${source.commit.slice(0, 7)} has no ${CONFIG_FILE}`,
        {
          hint: `add ${CONFIG_FILE} at the root of the repository and commit it (builds use the committed files only)`,
          data: { commit: source.commit },
        },
      );
    }
    throw error;
  }
}

/** The matrix entries to run: all, or the one named by --target. */
export function selectEntries(config: SkiffConfig, target: string | undefined): MatrixEntry[] {
  if (target === undefined) return config.build.matrix;
  const entries = config.build.matrix.filter((entry) => entry.target === target);
  if (entries.length === 0) {
    const known = config.build.matrix.map((entry) => entry.target);
    throw new SkiffError(
      "ERR_SKIFF_UNKNOWN_TARGET",
      `target ${target} is not in the build matrix of ${config.app}`,
      {
        hint: `known targets: ${known.join(", ")}`,
        data: { target, known },
      },
    );
  }
  return entries;
}

function throwIfAborted(signal: AbortSignal | undefined, target: string): void {
  if (signal?.aborted) {
    throw new SkiffError("ERR_SKIFF_BUILD_FAILED", `the build was cancelled before target ${target}`, {
      hint: "run the build again",
      data: { target, aborted: true },
    });
  }
}

/** The same error, with the build id in its data so callers can find the build's logs. */
function withBuildId(error: unknown, buildId: string): unknown {
  if (!isSkiffError(error)) return error;
  return new SkiffError(error.code, error.message, {
    hint: error.hint,
    cause: error.cause,
    data: { ...error.data, buildId },
  });
}
