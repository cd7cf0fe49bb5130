import { setTimeout as sleep } from "node:timers/promises";
import { parseDuration } from "../config/index.js";
import type { Instance } from "../drivers/index.js";
import { SkiffError, serializeError, type SerializedError } from "../errors/index.js";
import type { EventBus } from "../events/index.js";
import { ensureAppProxy } from "./public-address.js";
import type { PreparedRelease } from "./release-files.js";
import { readState, updateAppState } from "./state.js";
import type { CrashRecord } from "./state-schema.js";
import { isStoppedSince, stoppedError } from "./swap-phase.js";

/** How often a backoff wait looks at state for `skiff stop`. */
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
}

/**
 * Before a restart: reports a crash loop (and leaves the app stopped), or waits the backoff while
 * watching for `skiff stop`. Returns the error that ends the restart, or undefined to go on.
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
  const ranMs = Date.now() - lastStart;
  const decision = decideCrashRestart({
    ...(crashes ? { crashes } : {}),
    release,
    limit,
    backoffMs: parseDuration(backoff),
    ranMs,
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
  const until = Date.now() + decision.waitMs;
  for (;;) {
    if (isStoppedSince(readState(options.data).apps[options.app], options.since)) {
      const error = serializeError(stoppedError(options.app));
      options.events.emit({
        type: "instance.restart_cancelled",
        message: error.message,
        error,
        data: { instance: options.crashed.id },
      });
      return error;
    }
    if (Date.now() >= until) return undefined;
    await sleep(Math.min(STOP_POLL_MS, until - Date.now()));
  }
}

/** After a restart: the new instance is the app's instance, the public address points at it. */
export async function finishRestart(options: {
  data: string;
  prepared: PreparedRelease;
  instance: Instance | undefined;
  fallback: Instance;
}): Promise<void> {
  await updateAppState(options.data, options.fallback.app, (app) => {
    app.instance = options.instance ?? options.fallback;
    delete app.swap;
  });
  if (options.instance !== undefined)
    await ensureAppProxy({
      data: options.data,
      manifest: options.prepared.manifest,
      backend: options.instance,
    });
}
