import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { BuildConfig, MatrixEntry } from "../config/index.js";
import { collectArtifacts } from "./collect-artifacts.js";
import { settleEarlyDigests, startEarlyDigests, type EarlyDigests } from "./early-digests.js";
import { runStep } from "./run-step.js";
import type { BuildStepName, TargetRecord } from "./summary-schema.js";
import type { BuildOutput, BuildStepEvent } from "./types.js";

export interface RunTargetOptions {
  entry: MatrixEntry;
  build: BuildConfig;
  /** A fresh clean checkout, used by this entry only. */
  checkout: string;
  /** <outDir>/<buildId> */
  buildDir: string;
  /** Filled in as steps finish, so a failed target still records what ran. */
  record: TargetRecord;
  /** The commands' TMPDIR where they run unsandboxed: a folder of this build's, removed after it. */
  tempDir?: string;
  /** The folder builds keep between them (RunBuildOptions.cacheDir): SKIFF_CACHE_DIR, writable. */
  cacheDir: string;
  /** Folders the commands must not see (RunBuildOptions.hidden). */
  hidden?: readonly string[];
  signal?: AbortSignal;
  onOutput?: (line: BuildOutput) => void;
  onStep?: (event: BuildStepEvent) => void;
}

/** Variables a git hook leaves behind that would point the user's own git calls at the wrong repository. */
const GIT_HOOK_VARIABLES = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_OBJECT_DIRECTORY",
  "GIT_PREFIX",
];

export function createTargetRecord(entry: MatrixEntry): TargetRecord {
  return {
    target: entry.target,
    deploy: entry.deploy,
    env: entry.env,
    status: "failed",
    durationMs: 0,
    steps: [],
    artifacts: [],
  };
}

/** One matrix entry: build command, test command, then its artifacts. */
export async function runTarget(options: RunTargetOptions): Promise<void> {
  const { entry, build, record } = options;
  const started = performance.now();
  const logDir = join(options.buildDir, "logs", entry.target);
  await mkdir(logDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...entry.env,
    TARGET: entry.target,
    SKIFF_CACHE_DIR: options.cacheDir,
  };
  for (const name of GIT_HOOK_VARIABLES) delete env[name];
  const steps: [BuildStepName, string | undefined][] = [
    ["build", build.command],
    ["test", build.test],
  ];
  const paths = typeof entry.artifact === "string" ? [entry.artifact] : [...entry.artifact];
  let early: Promise<EarlyDigests> | undefined;
  try {
    for (const [step, command] of steps) {
      if (command === undefined) continue;
      const outcome = await runStep({
        target: entry.target,
        step,
        command,
        cwd: options.checkout,
        env,
        timeout: build.timeout,
        logPath: join(logDir, `${step}.log`),
        // The checkout and the build cache are all the commands may write; build.network: false cuts them off the network.
        sandbox: {
          writable: options.checkout,
          cache: options.cacheDir,
          network: build.network,
          hidden: options.hidden ?? [],
          ...(options.tempDir === undefined ? {} : { tempDir: options.tempDir }),
        },
        signal: options.signal,
        onOutput: options.onOutput,
        onStep: options.onStep,
      });
      record.steps.push(outcome.record);
      if (outcome.failure) throw outcome.failure;
      // Hashing what the build left overlaps the test step; collectArtifacts rechecks each file.
      if (step === "build") early = startEarlyDigests(options.checkout, paths);
    }
    record.artifacts = await collectArtifacts({
      target: entry.target,
      checkout: options.checkout,
      artifact: entry.artifact,
      destDir: join(options.buildDir, "artifacts", entry.target),
      early: await early,
    });
    record.status = "succeeded";
  } finally {
    await settleEarlyDigests(early);
    record.durationMs = Math.round(performance.now() - started);
  }
}
