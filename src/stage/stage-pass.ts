import { join } from "node:path";
import { serializeError, type SerializedError } from "../errors/index.js";
import type { EventBus } from "../events/index.js";
import {
  promoteRelease,
  readManifest,
  readPointers,
  readStageRecord,
  recordStageVerdict,
  syncMirror,
  type StageRecord,
} from "../store/index.js";
import { stageRelease } from "./stage-release.js";

export interface StagePassOptions {
  repo: string;
  data: string;
  events: EventBus;
  host?: string;
  signal?: AbortSignal;
}

/** What one pass did for one app. */
export interface StagedApp {
  app: string;
  release: number;
  verdict: StageRecord["verdict"];
  summary: string;
  promoted: boolean;
  error?: SerializedError;
}

export interface StagePassResult {
  commit?: string;
  staged: StagedApp[];
}

/**
 * One pass of a staging agent: for every app whose `staging` names a release without a verdict,
 * stage it, commit stage.json, and promote it (a commit of current) when it passed and promote is auto.
 */
export async function runStagePass(options: StagePassOptions): Promise<StagePassResult> {
  const mirror = join(options.data, "mirror.git");
  const commit = await syncMirror({ url: options.repo, mirror });
  if (commit === undefined) return { staged: [] };
  const staged: StagedApp[] = [];
  for (const pointers of await readPointers({ mirror, commit })) {
    const release = pointers.staging;
    if (release === undefined || pointers.error !== undefined) continue;
    const app = pointers.app;
    if ((await readStageRecord({ repo: mirror, rev: commit, app, release })) !== undefined) continue;
    options.signal?.throwIfAborted();
    staged.push(await stageOne({ ...options, mirror, commit, app, release }));
  }
  return { commit, staged };
}

async function stageOne(
  options: StagePassOptions & { mirror: string; commit: string; app: string; release: number },
): Promise<StagedApp> {
  const { app, release } = options;
  const events = options.events.child({ app, release });
  events.emit({ type: "stage.started", message: `staging release ${release}` });
  const record = await stageRelease({ ...options, events });
  const result: StagedApp = {
    app,
    release,
    verdict: record.verdict,
    summary: record.summary,
    promoted: false,
  };
  try {
    await recordStageVerdict({
      repo: options.repo,
      record,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    events.emit({
      type: record.verdict === "passed" ? "stage.passed" : "stage.failed",
      message:
        record.verdict === "passed"
          ? `release ${release} passed staging`
          : `release ${release} failed staging: ${record.summary}`,
      data: { summary: record.summary, failures: record.failures, durationMs: record.durationMs },
    });
    const manifest = await readManifest({ mirror: options.mirror, commit: options.commit, app, release });
    if (record.verdict === "passed" && manifest.stage?.promote !== "manual") {
      const change = await promoteRelease({
        repo: options.repo,
        app,
        release,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      result.promoted = true;
      events.emit({
        type: "release.promoted",
        message: `release ${release} is current (was ${change.from ?? "none"})`,
        data: { from: change.from, commit: change.commit },
      });
    }
  } catch (error) {
    result.error = serializeError(error);
    events.emit({
      type: "stage.record_failed",
      message: `could not record the verdict of release ${release}: ${result.error.message}`,
      error: result.error,
    });
  }
  return result;
}
