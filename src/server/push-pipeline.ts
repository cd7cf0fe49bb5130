import { join } from "node:path";
import { runBuild, type BuildOutput, type BuildStepEvent, type BuildSummary } from "../build/index.js";
import { traceMark } from "../process/index.js";
import { isSkiffError, serializeError, SkiffError, type SerializedError } from "../errors/index.js";
import { storeRelease, type PointerChange, type StoreResult } from "../store/index.js";
import type { RefUpdate } from "./hook-endpoint.js";
import { describeDeployFailure, type FailedInstanceLog } from "./deploy-failure.js";
import type { StageGate } from "./embedded-stage.js";
import type { PushOutput } from "./push-output.js";
import { restoreCurrent } from "./restore-current.js";

export type DeployOutcome =
  | { ok: true; url: string | undefined }
  /** `serving`: the release that still takes traffic, if any; `log`: the failed instance's last lines. */
  | { ok: false; error: SerializedError; serving?: number; log?: FailedInstanceLog };

export interface DeployRequest {
  app: string;
  release: number;
  signal: AbortSignal;
}

/** Makes the stored release run and reports whether it serves (the embedded agent, in the server). */
export type DeployRelease = (request: DeployRequest) => Promise<DeployOutcome>;

export interface PushPipelineOptions {
  data: string;
  app: string;
  update: RefUpdate;
  /** A bare repository that sees the pushed commit (its objects may still be in quarantine). */
  source: string;
  /** The app repository's URL, recorded in the build as where its source came from. */
  sourceUrl: string;
  deployRepo: string;
  output: PushOutput;
  signal: AbortSignal;
  deploy: DeployRelease;
  /** Called once the release is stored (followers are told here). */
  onStored?: (result: StoreResult) => void;
  /** Waits for the staging verdict of a release with a stage: section (the embedded staging agent). */
  stage?: StageGate;
  /** Called once current points back at the serving release after a failed deploy (followers are told). */
  onRestored?: (change: PointerChange) => void;
}

export interface PushPipelineResult {
  ok: boolean;
  release?: number;
  timings: Record<string, number>;
  /** Epoch ms when the pipeline started and when the release was stored (the push-to-live benchmark reads them). */
  startedAt: number;
  storedAt?: number;
}

const INDENT = "       ";

/** Builds, tests, stores and deploys one push to main; any failure means the push is refused. */
export async function runPushPipeline(options: PushPipelineOptions): Promise<PushPipelineResult> {
  const { output } = options;
  const timings: Record<string, number> = {};
  const startedAt = Date.now();
  let storedAt: number | undefined;
  const result = (ok: boolean, release?: number): PushPipelineResult => ({
    ok,
    timings,
    startedAt,
    ...(release === undefined ? {} : { release }),
    ...(storedAt === undefined ? {} : { storedAt }),
  });
  try {
    const summary = await timed(timings, "build+test", () => buildPush(options, timings));
    if (summary.app !== options.app) {
      throw new SkiffError(
        "ERR_SKIFF_PUSH_REJECTED",
        `skiff.yml names app ${summary.app}, but this is ${options.app}`,
        {
          hint: `set app: ${options.app} in skiff.yml, or push to /${summary.app}.git`,
        },
      );
    }
    output.line("-----> store");
    const stored = await timed(timings, "store", () =>
      storeRelease({ to: options.deployRepo, build: summary, signal: options.signal }),
    );
    output.line(
      `${INDENT}release ${stored.release} of ${options.app} stored (${formatSeconds(timings.store)})`,
    );
    storedAt = Date.now();
    options.onStored?.(stored);
    const gate = stored.manifest.stage ? options.stage : undefined;
    if (gate) {
      const staged = await timed(timings, "stage", () => gate({ stored, output }));
      if (staged !== "promoted") return result(staged === "passed", stored.release);
    }
    output.line(`-----> deploy ${options.app} v${stored.release}`);
    const deployed = await timed(timings, "deploy", () =>
      options.deploy({ app: options.app, release: stored.release, signal: options.signal }),
    );
    if (!deployed.ok) {
      for (const line of describeDeployFailure(options.app, deployed.error, deployed.log))
        output.line(`${INDENT}${line}`);
      output.line(
        `-----> deploy of ${options.app} v${stored.release} failed; the release before keeps serving`,
      );
      await putCurrentBack(options, stored.release, deployed.serving);
      return result(false, stored.release);
    }
    output.line(`${INDENT}serving (${formatSeconds(timings.deploy)})`);
    output.line(`-----> released ${options.app} v${stored.release}`);
    if (deployed.url) output.line(`${INDENT}${deployed.url}`);
    return result(true, stored.release);
  } catch (error) {
    reportFailure(output, error);
    return result(false);
  }
}

/** current goes back to what serves, or stays on the failed release when nothing serves (a first deploy). */
async function putCurrentBack(
  options: PushPipelineOptions,
  failed: number,
  serving: number | undefined,
): Promise<void> {
  if (serving === undefined) return;
  const change = await restoreCurrent({
    deployRepo: options.deployRepo,
    app: options.app,
    failed,
    serving,
    signal: options.signal,
  });
  if (!change.changed) return;
  options.output.line(`${INDENT}current of ${options.app} is release ${change.to} again`);
  options.onRestored?.(change);
}

async function buildPush(
  options: PushPipelineOptions,
  timings: Record<string, number>,
): Promise<BuildSummary> {
  const { output } = options;
  return runBuild({
    repo: options.source,
    // Known from the push: the build needs no git calls to find its source.
    source: {
      repo: options.source,
      kind: "bare",
      commit: options.update.new,
      branch: "main",
      repository: options.sourceUrl,
    },
    outDir: join(options.data, "builds", options.app),
    signal: options.signal,
    onStep: (event: BuildStepEvent) => {
      const name = `${event.step} ${event.target}`;
      if (event.phase === "start") output.line(`-----> ${name}: ${event.command}`);
      else {
        timings[event.step] = (timings[event.step] ?? 0) + (event.durationMs ?? 0);
        const verdict = event.ok ? "ok" : `failed (exit ${event.exitCode ?? "signal"})`;
        output.line(`${INDENT}${name} ${verdict} in ${formatSeconds(event.durationMs)}`);
      }
    },
    onOutput: (line: BuildOutput) => output.line(`${INDENT}${line.line}`),
  });
}

function reportFailure(output: PushOutput, error: unknown): void {
  const serialized = serializeError(error);
  output.line(`-----> push rejected: ${serialized.message}`);
  if (serialized.hint) output.line(`${INDENT}hint: ${serialized.hint}`);
  if (!isSkiffError(error)) output.line(`${INDENT}(this is a bug in skiff)`);
}

async function timed<T>(timings: Record<string, number>, name: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  traceMark(`${name} start`);
  try {
    return await run();
  } finally {
    timings[name] = performance.now() - started;
    traceMark(`${name} end`);
  }
}

export function formatSeconds(ms: number | undefined): string {
  return `${((ms ?? 0) / 1000).toFixed(1)}s`;
}
