import type { Instance } from "../../drivers/index.js";
import type { SerializedError } from "../../errors/index.js";
import { classifyFailure, planRetry } from "../plan/index.js";
import { keepRecords, updateAppState, type DeployResult, type InstanceReason } from "../state/index.js";

export interface DeployRecord {
  app: string;
  release: number;
  deploy: string;
  ok: boolean;
  error?: SerializedError;
  /** The instances that serve after this deploy; undefined leaves the recorded ones as they are. */
  instances?: readonly Instance[];
  /** Why instances not recorded yet were started (default deploy). */
  reason?: InstanceReason;
  /** The release passed and sleeps (deploy.scale.min 0): a wake boots it. */
  asleep?: boolean;
}

/** Writes the outcome of one deploy: what runs now, the last result, and the hold on a failed release. */
export function recordDeploy(data: string, record: DeployRecord): Promise<void> {
  return updateAppState(data, record.app, (app) => {
    const result: DeployResult = {
      release: record.release,
      ok: record.ok,
      at: new Date().toISOString(),
      deploy: record.deploy,
      ...(record.error === undefined ? {} : { error: record.error }),
    };
    if (app.observedCurrent !== record.release) {
      // The pointer moved: earlier holds (failed releases, a manual stop) no longer apply.
      app.failed = [];
      delete app.retry;
      // A stop made during this very deploy holds under the new pointer: skiff stop always wins.
      if (record.error?.code !== "ERR_SKIFF_APP_STOPPED") delete app.stopped;
    }
    app.observedCurrent = record.release;
    if (record.instances !== undefined) {
      app.instances = keepRecords(app, record.instances, record.reason ?? "deploy");
    }
    if (record.asleep === true) app.asleep = { release: record.release, at: result.at };
    else if (record.ok) delete app.asleep;
    // The swap is over (done, rolled back or given up): nothing is left for a restarted agent to resolve.
    delete app.swap;
    app.lastDeploy = result;
    const kind = record.ok ? undefined : classifyFailure(record.error);
    if (record.ok) {
      app.failed = app.failed.filter((f) => f.release !== record.release);
      delete app.stopped;
      delete app.crashes;
      delete app.retry;
    } else if (kind === "host") {
      // The host's fault (disk full …): tried again after a backoff, never held as a failed release.
      const retry = planRetry({
        release: record.release,
        error: record.error,
        ...(app.retry ? { previous: app.retry } : {}),
        now: Date.parse(result.at),
      });
      if (retry) app.retry = retry;
    } else if (kind === "release") {
      app.failed = [...app.failed.filter((f) => f.release !== record.release), result];
      delete app.retry;
    }
  });
}
