import { join } from "node:path";
import { gateDesired, type HostDrivers } from "../agent/index.js";
import { serializeError, type SerializedError } from "../errors/index.js";
import type { EventBus } from "../events/index.js";
import {
  promoteRelease,
  readManifest,
  readPointers,
  readStageRecord,
  recordStageVerdict,
  syncMirror,
  type ReleaseSigner,
  type StageRecord,
} from "../store/index.js";
import type { TrustPolicy } from "../trust/index.js";
import { stageRelease } from "./stage-release.js";

export interface StagePassOptions {
  repo: string;
  data: string;
  events: EventBus;
  host?: string;
  signal?: AbortSignal;
  /** `--trust`: the production trust gate (signed staging record and manifest, sequence, expiry) before anything boots. */
  trust?: TrustPolicy;
  /** This host's drivers (`--drivers`, availability asked once per agent run). */
  drivers?: HostDrivers;
  /** `--key`: signs the current record a promotion writes (required when the app's pointers are signed). */
  sign?: ReleaseSigner;
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

/** A release this host did not judge (no stage.json is written): refused by the trust gate, or no driver here. */
export interface HeldApp {
  app: string;
  release: number;
  reason: "refused" | "unsupported";
  error: SerializedError;
}

export interface StagePassResult {
  commit?: string;
  staged: StagedApp[];
  held: HeldApp[];
}

/**
 * One pass of a staging agent: for every app whose `staging` names a release without a verdict,
 * stage it, commit stage.json, and promote it (a commit of current) when it passed and promote is auto.
 */
export async function runStagePass(options: StagePassOptions): Promise<StagePassResult> {
  const mirror = join(options.data, "mirror.git");
  const commit = await syncMirror({ url: options.repo, mirror });
  if (commit === undefined) return { staged: [], held: [] };
  const staged: StagedApp[] = [];
  const held: HeldApp[] = [];
  for (const pointers of await readPointers({ mirror, commit })) {
    const release = pointers.staging;
    if (release === undefined || pointers.error !== undefined) continue;
    const app = pointers.app;
    if ((await readStageRecord({ repo: mirror, rev: commit, app, release })) !== undefined) continue;
    options.signal?.throwIfAborted();
    const refusal = await checkTrust({ ...options, mirror, commit, app, release });
    if (refusal !== undefined) {
      held.push({ app, release, reason: "refused", error: refusal });
      continue;
    }
    const outcome = await stageOne({ ...options, mirror, commit, app, release });
    if ("reason" in outcome) held.push(outcome);
    else staged.push(outcome);
  }
  return { commit, staged, held };
}

/** With --trust: the production agent's gate on the staging pointer; its refusal, or undefined. */
async function checkTrust(
  options: StagePassOptions & { mirror: string; commit: string; app: string; release: number },
): Promise<SerializedError | undefined> {
  if (options.trust === undefined) return undefined;
  const [gated] = await gateDesired([{ app: options.app, release: options.release }], {
    data: options.data,
    mirror: options.mirror,
    commit: options.commit,
    follow: "staging",
    events: options.events,
    trust: options.trust,
  });
  if (gated?.error !== undefined) return gated.error;
  if (gated?.release !== options.release) {
    return {
      code: "ERR_SKIFF_CURRENT_INVALID",
      message: `the signed staging record of ${options.app} names release ${gated?.release ?? "none"}, not ${options.release}`,
    };
  }
  return undefined;
}

async function stageOne(
  options: StagePassOptions & { mirror: string; commit: string; app: string; release: number },
): Promise<StagedApp | HeldApp> {
  const { app, release } = options;
  const events = options.events.child({ app, release });
  events.emit({ type: "stage.started", message: `staging release ${release}` });
  const staged = await stageRelease({ ...options, events });
  if ("unsupported" in staged) {
    events.emit({
      type: "release.unsupported",
      message: `release ${release} not staged: ${staged.unsupported.message}`,
      error: staged.unsupported,
    });
    return { app, release, reason: "unsupported", error: staged.unsupported };
  }
  const record = staged;
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
  } catch (error) {
    result.error = serializeError(error);
    events.emit({
      type: "stage.record_failed",
      message: `could not record the verdict of release ${release}: ${result.error.message}`,
      error: result.error,
    });
    return result;
  }
  try {
    const manifest = await readManifest({ mirror: options.mirror, commit: options.commit, app, release });
    if (record.verdict === "passed" && manifest.stage?.promote !== "manual") {
      const change = await promoteRelease({
        repo: options.repo,
        app,
        release,
        ...(options.sign ? { sign: options.sign } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      result.promoted = true;
      events.emit({
        type: "release.promoted",
        message: `release ${release} is current (was ${change.from ?? "none"})`,
        data: { from: change.from, commit: change.commit, signed: options.sign !== undefined },
      });
    }
  } catch (error) {
    result.error = serializeError(error);
    events.emit({
      type: "release.promotion_failed",
      message: `release ${release} passed but was not promoted: ${result.error.message}`,
      error: result.error,
    });
  }
  return result;
}
