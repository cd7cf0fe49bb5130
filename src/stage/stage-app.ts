import { stopSignalOf, type HostDrivers } from "../agent/index.js";
import { serializeError } from "../errors/index.js";
import type { EventBus } from "../events/index.js";
import type { ObjectReader } from "../git/index.js";
import { promoteRelease, readManifest, recordStageVerdict, type ReleaseSigner } from "../store/index.js";
import type { HeldApp, StagedApp } from "./stage-outcome.js";
import { stageRelease } from "./stage-release.js";

export interface StageAppOptions {
  app: string;
  release: number;
  /** The deployment repository: verdicts and promotions are committed there. */
  repo: string;
  data: string;
  /** The staging agent's mirror, at the commit the pass read. */
  mirror: string;
  commit: string;
  reader?: ObjectReader;
  events: EventBus;
  drivers: HostDrivers;
  host?: string;
  sign?: ReleaseSigner;
  /** The app task's signal: a stop ends the stage; a newer staging release waits for this verdict. */
  signal?: AbortSignal;
}

/** One staging release in its app's worker: stage it, commit the verdict, promote it when it passed (promote: auto). */
export async function stageApp(options: StageAppOptions): Promise<StagedApp | HeldApp> {
  const { app, release } = options;
  const events = options.events.child({ app, release });
  events.emit({ type: "stage.started", message: `staging release ${release}` });
  // Only a stop ends a stage early: a newer staging release waits for this verdict.
  const signal = stopSignalOf(options.signal);
  const staged = await stageRelease({ ...options, events, ...(signal ? { signal } : {}) });
  if ("unsupported" in staged) {
    events.emit({
      type: "release.unsupported",
      message: `release ${release} not staged: ${staged.unsupported.message}`,
      error: staged.unsupported,
    });
    return { app, release, reason: "unsupported", error: staged.unsupported };
  }
  if ("hostFault" in staged) {
    events.emit({
      type: "stage.host_fault",
      message: `release ${release} not staged: the host failed (${staged.hostFault.code}): ${staged.hostFault.message}`,
      error: staged.hostFault,
    });
    return { app, release, reason: "host-fault", error: staged.hostFault };
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
    await recordStageVerdict({ repo: options.repo, record });
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
    const manifest = await readManifest({
      mirror: options.mirror,
      commit: options.commit,
      app,
      release,
      ...(options.reader ? { reader: options.reader } : {}),
    });
    if (record.verdict === "passed" && manifest.stage?.promote !== "manual") {
      const change = await promoteRelease({
        repo: options.repo,
        app,
        release,
        ...(options.sign ? { sign: options.sign } : {}),
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
