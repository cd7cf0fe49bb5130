import { setTimeout as sleep } from "node:timers/promises";
import { parseDuration } from "../../config/index.js";
import type { Instance } from "../../drivers/index.js";
import { SkiffError, serializeError, type SerializedError } from "../../errors/index.js";
import type { EventBus } from "../../events/index.js";
import { isStoppedSince, readState, stoppedError, updateAppState, type CrashRecord } from "../state/index.js";
import { taskEndOf } from "../worker/index.js";
import type { PreparedRelease } from "./release-files.js";

/** How often a backoff wait looks at state for `skiff stop` (from another process). */
const STOP_POLL_MS = 100;

export type CrashDecision =
  { kind: "restart"; waitMs: number; count: number } | { kind: "loop"; count: number };

/**
 * Pure: whether a crashed instance is restarted, and after how long. The n-th restart in a row
 * waits backoff × 2^(n-1); after `limit` restarts it is a crash loop. An instance that ran longer
 * than the longest wait (backoff × 2^limit) before it crashed starts the count again.
 */
export function decideCrashRestart(options: {
  crashes?: CrashRecord;
  release: number;
  limit: number;
  backoffMs: number;
  ranMs: number;
}): CrashDecision {
  const { crashes, release, limit, backoffMs } = options;
  const fresh =
    crashes === undefined || crashes.release !== release || options.ranMs > backoffMs * 2 ** limit;
  const count = fresh ? 0 : crashes.count;
  if (count >= limit) return { kind: "loop", count };
  return { kind: "restart", waitMs: backoffMs * 2 ** count, count: count + 1 };
}

export interface RestartGateOptions {
  data: string;
  app: string;
  crashed: Instance;
  prepared: PreparedRelease;
  events: EventBus;
  /** When the restart began: a `skiff stop` after it wins over the restart. */
  since: string;
  /** The app worker's task signal: a newer release or a stop by hand ends the backoff at once. */
  signal?: AbortSignal;
}

/**
 * Before a restart: reports a crash loop (and leaves the app stopped), or waits the backoff while
 * watching for `skiff stop` and the task's signal. Returns the error that ends the restart, or
 * undefined to go on.
 */
export async function gateRestart(options: RestartGateOptions): Promise<SerializedError | undefined> {
  const { limit, backoff } = options.prepared.manifest.deploy.restart;
  const release = options.crashed.release;
  const crashes = readState(options.data).apps[options.app]?.crashes;
  // A failed restart keeps the dead record: the last attempt's time is when it last started.
  const lastStart = Math.max(
    Date.parse(options.crashed.startedAt),
    crashes?.release === release ? Date.parse(crashes.lastAt) : 0,
  );
  const decision = decideCrashRestart({
    ...(crashes ? { crashes } : {}),
    release,
    limit,
    backoffMs: parseDuration(backoff),
    ranMs: Date.now() - lastStart,
  });
  const at = new Date().toISOString();
  if (decision.kind === "loop") {
    const error = new SkiffError(
      "ERR_SKIFF_CRASH_LOOP",
      `${options.app} release ${release} crashed ${decision.count + 1} times in a row; it is left stopped`,
      {
        hint: `see why with skiff logs ${options.app}; store a fixed release, or skiff start ${options.app} to try again`,
        data: { release, restarts: decision.count, limit },
      },
    );
    await updateAppState(options.data, options.app, (app) => {
      app.crashes = { release, count: decision.count, lastAt: at, loop: { at } };
    });
    options.events.emit({
      type: "instance.crash_loop",
      message: error.message,
      error: serializeError(error),
      data: { instance: options.crashed.id, restarts: decision.count },
    });
    return serializeError(error);
  }
  await updateAppState(options.data, options.app, (app) => {
    app.crashes = { release, count: decision.count, lastAt: at };
  });
  options.events.emit({
    type: "instance.backoff",
    message: `restart ${decision.count} of ${limit} in ${decision.waitMs}ms`,
    data: { instance: options.crashed.id, attempt: decision.count, waitMs: decision.waitMs },
  });
  const ended = await waitBackoff(options, Date.now() + decision.waitMs);
  if (ended !== undefined) {
    options.events.emit({
      type: "instance.restart_cancelled",
      message: ended.message,
      error: ended,
      data: { instance: options.crashed.id },
    });
  }
  return ended;
}

/** Sleeps until `until`; the error that ends the wait early (stopped by hand, a newer release), or undefined. */
async function waitBackoff(options: RestartGateOptions, until: number): Promise<SerializedError | undefined> {
  for (;;) {
    const end = taskEndOf(options.signal);
    if (end?.kind === "superseded") return serializeError(supersededError(options.app, end.release));
    if (end !== undefined || isStoppedSince(readState(options.data).apps[options.app], options.since))
      return serializeError(stoppedError(options.app));
    const left = until - Date.now();
    if (left <= 0) return undefined;
    await sleep(
      Math.min(STOP_POLL_MS, left),
      undefined,
      options.signal ? { signal: options.signal } : {},
    ).catch(() => undefined);
  }
}

function supersededError(app: string, release: number): SkiffError {
  return new SkiffError(
    "ERR_SKIFF_SUPERSEDED",
    `release ${release} of ${app} became current during the restart's backoff; it deploys instead`,
    { hint: `see the deploy of release ${release} with skiff status`, data: { release } },
  );
}
