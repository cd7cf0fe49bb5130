import { runBuild, type BuildOutput, type BuildStepEvent, type BuildSummary } from "../build/index.js";
import { traceMark } from "../process/index.js";
import { isSkiffError, serializeError, SkiffError, type SerializedError } from "../errors/index.js";
import { storeRelease, type PointerChange, type StoreResult } from "../store/index.js";
import type { RefUpdate } from "./hook-endpoint.js";
import { describeDeployFailure, type FailedInstanceLog } from "./deploy-failure.js";
import type { StageGate } from "./embedded-stage.js";
import { OutputRelay } from "./output-relay.js";
import type { PushOutput } from "./push-output.js";
import { clearPushPending, markPushPending } from "./pending-push.js";
import { restoreCurrent } from "./restore-current.js";
import { serverBuildsDir, serverTmpDir } from "./server-builds.js";

/** Build folders kept per app for debugging (skiff builds lists them); older ones are removed. */
export const KEEP_BUILDS = 5;

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
  /** Where the build's checkouts go (removed after the build; the server's DATA/tmp). */
  tempDir?: string;
  /** Paths the user's build must not see (the server's data: tokens, secrets). */
  hidden?: readonly string[];
  /** Build folders kept per app (default KEEP_BUILDS). */
  keepBuilds?: number;
  /** The app repository's URL, recorded in the build as where its source came from. */
  sourceUrl: string;
  deployRepo: string;
  output: PushOutput;
  /** The pusher's: aborted when it went away. It cancels the push until the commit point, not after. */
  signal: AbortSignal;
  /**
   * The commit point, right before the store: keeps what the push needs to land (its objects). Once
   * it resolved, the push lands whole (store, deploy, the app's ref) whatever the pusher does.
   */
  commit?: () => Promise<void>;
  deploy: DeployRelease;
  /** Called once the release is stored (followers are told here). */
  onStored?: (result: StoreResult) => void;
  /** Waits for the staging verdict of a release with a stage: section (the embedded staging agent). */
  stage?: StageGate;
  /** Called once current points back at the serving release after a failed deploy (followers are told). */
  onRestored?: (change: PointerChange) => void;
}

/** Where a push was when it ended (or was cut short). */
export type PushStage = "build" | "test" | "store" | "stage" | "deploy" | "done";

export interface PushPipelineResult {
  ok: boolean;
  release?: number;
  stage: PushStage;
  /** Passed the commit point: from there the push lands whole or its failure is the deploy's. */
  committed: boolean;
  error?: SerializedError;
  timings: Record<string, number>;
  /** Epoch ms when the pipeline started and when the release was stored (the push-to-live benchmark reads them). */
  startedAt: number;
  storedAt?: number;
}

const INDENT = "       ";

/** Never aborted: what runs past the commit point is not the pusher's to cut short. */
const LANDING = new AbortController().signal;

/** Builds, tests, stores and deploys one push to main; any failure means the push is refused. */
export async function runPushPipeline(options: PushPipelineOptions): Promise<PushPipelineResult> {
  const { output } = options;
  const timings: Record<string, number> = {};
  const startedAt = Date.now();
  let storedAt: number | undefined;
  const progress: { stage: PushStage; committed: boolean } = { stage: "build", committed: false };
  const pending = { app: options.app, commit: options.update.new };
  const result = (ok: boolean, release?: number, error?: SerializedError): PushPipelineResult => ({
    ok,
    ...progress,
    timings,
    startedAt,
    ...(release === undefined ? {} : { release }),
    ...(storedAt === undefined ? {} : { storedAt }),
    ...(error === undefined ? {} : { error }),
  });
  try {
    const summary = await timed(timings, "build+test", () => buildPush(options, timings, progress));
    if (summary.app !== options.app) {
      throw new SkiffError(
        "ERR_SKIFF_PUSH_REJECTED",
        `skiff.yml names app ${summary.app}, but this is ${options.app}`,
        {
          hint: `set app: ${options.app} in skiff.yml, or push to /${summary.app}.git`,
        },
      );
    }
    progress.stage = "store";
    await options.commit?.();
    // Until the outcome is settled: a server killed from here on settles it at its next start.
    markPushPending(options.data, pending);
    progress.committed = true;
    output.line("-----> store");
    const stored = await timed(timings, "store", () =>
      storeRelease({
        to: options.deployRepo,
        build: summary,
        signal: LANDING,
        // Emptied at the server's next start: a store cut short by a kill leaves nothing behind.
        scratchDir: serverTmpDir(options.data),
      }),
    );
    output.line(
      `${INDENT}release ${stored.release} of ${options.app} stored (${formatSeconds(timings.store)})`,
    );
    storedAt = Date.now();
    options.onStored?.(stored);
    const gate = stored.manifest.stage ? options.stage : undefined;
    if (gate) {
      progress.stage = "stage";
      const staged = await timed(timings, "stage", () => gate({ stored, output }));
      if (staged !== "promoted") return result(staged === "passed", stored.release);
    }
    progress.stage = "deploy";
    output.line(`-----> deploy ${options.app} v${stored.release}`);
    const deployed = await timed(timings, "deploy", () =>
      options.deploy({ app: options.app, release: stored.release, signal: LANDING }),
    );
    if (!deployed.ok) {
      for (const line of describeDeployFailure(options.app, deployed.error, deployed.log))
        output.line(`${INDENT}${line}`);
      output.line(
        `-----> deploy of ${options.app} v${stored.release} failed; the release before keeps serving`,
      );
      await putCurrentBack(options, stored.release, deployed.serving);
      return result(false, stored.release, deployed.error);
    }
    progress.stage = "done";
    output.line(`${INDENT}serving (${formatSeconds(timings.deploy)})`);
    output.line(`-----> released ${options.app} v${stored.release}`);
    if (deployed.url) output.line(`${INDENT}${deployed.url}`);
    return result(true, stored.release);
  } catch (error) {
    reportFailure(output, error);
    return result(false, undefined, serializeError(error));
  } finally {
    if (progress.committed) clearPushPending(options.data, pending);
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
    signal: LANDING,
  });
  if (!change.changed) return;
  options.output.line(`${INDENT}current of ${options.app} is release ${change.to} again`);
  options.onRestored?.(change);
}

async function buildPush(
  options: PushPipelineOptions,
  timings: Record<string, number>,
  progress: { stage: PushStage },
): Promise<BuildSummary> {
  const { output } = options;
  const relay = new OutputRelay(output);
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
    outDir: serverBuildsDir(options.data, options.app),
    keepBuilds: options.keepBuilds ?? KEEP_BUILDS,
    ...(options.tempDir === undefined ? {} : { tempDir: options.tempDir }),
    ...(options.hidden === undefined ? {} : { hidden: options.hidden }),
    signal: options.signal,
    onWarning: (text) => output.line(`${INDENT}warning: ${text}`),
    onStep: (event: BuildStepEvent) => {
      const name = `${event.step} ${event.target}`;
      if (event.phase === "start") {
        progress.stage = event.step;
        output.line(`-----> ${name}: ${event.command}`);
      } else {
        relay.summarize(event.logPath);
        timings[event.step] = (timings[event.step] ?? 0) + (event.durationMs ?? 0);
        const verdict = event.ok ? "ok" : `failed (exit ${event.exitCode ?? "signal"})`;
        output.line(`${INDENT}${name} ${verdict} in ${formatSeconds(event.durationMs)}`);
      }
    },
    onOutput: (line: BuildOutput) => relay.line(line.line),
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
