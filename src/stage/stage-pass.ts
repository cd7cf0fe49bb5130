import { hostname } from "node:os";
import { join } from "node:path";
import {
  createRetryTimers,
  gateDesired,
  retryDelay,
  type LoopPass,
  type PassContext,
  type RetryTimers,
} from "../agent/index.js";
import type { SerializedError } from "../errors/index.js";
import type { ObjectReader } from "../git/index.js";
import { readPointers, StageRecordSchema, stageRecordPath, type ReleaseSigner } from "../store/index.js";
import type { TrustPolicy } from "../trust/index.js";
import { stageApp } from "./stage-app.js";
import type { HeldApp, StagedApp, StageOutcome } from "./stage-outcome.js";

export type { HeldApp, StagedApp, StageOutcome } from "./stage-outcome.js";

export interface StagePassResult {
  commit?: string;
  /** The staging releases without a verdict this pass handed to their apps' workers (a dry run stops here). */
  planned: { app: string; release: number }[];
  /**
   * What each planned stage ended with. Filled for --once (the loop waits for every worker); a
   * running agent's pass returns first, so it is empty (StageAgentHandle.settled(app) waits for one).
   */
  staged: StagedApp[];
  /** Releases not judged here: refused by the gate in this pass, or (--once) not runnable on this host. */
  held: HeldApp[];
  dryRun: boolean;
}

export interface StagePassOptions {
  repo: string;
  data: string;
  host?: string;
  /** `--trust`: the production trust gate (signed staging record and manifest, sequence, expiry) before anything boots. */
  trust?: TrustPolicy;
  /** `--key`: signs the current record a promotion writes (required when the app's pointers are signed). */
  sign?: ReleaseSigner;
  /** False for --once and --dry-run: a host fault's retry is left to the next agent run (no timer). */
  retry?: boolean;
}

/**
 * The staging agent's pass: every app whose `staging` names a release without a verdict is gated
 * like a production deploy (signatures, sealed values) and handed to its worker, which stages it,
 * commits stage.json, and promotes it when it passed and promote is auto.
 */
export function createStagePass(options: StagePassOptions): LoopPass<StagePassResult, StageOutcome> {
  // Judged by this agent run: a pass that fetched before a verdict landed does not stage it twice.
  const judged = new Set<string>();
  // Host faults in a row per release, and the timers that try them again (created at the first).
  const attempts = new Map<string, number>();
  let timers: RetryTimers | undefined;
  return {
    follow: "staging",
    label: {
      started: "following staging",
      lockHint: "give the staging agent its own --data, apart from the production agent's",
      defaultHost: () => `${hostname()} (staging)`,
    },
    run: (ctx) => runPass(ctx),
    settle: (result, ctx) => {
      const outcomes = result.planned
        .map((p) => ctx.workers.last(p.app))
        .filter((o): o is StageOutcome => o !== undefined);
      return {
        ...result,
        staged: outcomes.filter((o): o is StagedApp => !("reason" in o)),
        held: [...result.held, ...outcomes.filter((o): o is HeldApp => "reason" in o)],
      };
    },
  };

  async function runPass(ctx: PassContext<StageOutcome>): Promise<StagePassResult> {
    const mirror = join(ctx.data, "mirror.git");
    const commit = await ctx.fetcher.sync("main");
    const result: StagePassResult = { planned: [], staged: [], held: [], dryRun: ctx.dryRun };
    if (commit === undefined) return result;
    result.commit = commit;
    const reader = ctx.fetcher.reader;
    const waiting: { app: string; release: number }[] = [];
    for (const pointers of await readPointers({ mirror, commit, reader })) {
      const release = pointers.staging;
      if (release === undefined || pointers.error !== undefined) continue;
      const key = `${pointers.app}@${release}`;
      if (judged.has(key) || ctx.workers.busy(pointers.app)?.release === release) continue;
      if (await hasVerdict(reader, commit, pointers.app, release)) continue;
      waiting.push({ app: pointers.app, release });
    }
    // Signatures, sequence, expiry and sealed values: checked before anything boots, as for production.
    const gated = await gateDesired(waiting, {
      data: ctx.data,
      mirror,
      commit,
      reader,
      follow: "staging",
      events: ctx.events,
      dryRun: ctx.dryRun,
      secrets: ctx.secrets,
      ...(options.trust ? { trust: options.trust } : {}),
    });
    for (const [index, want] of waiting.entries()) {
      const refusal = refusalOf(want, gated[index]);
      if (refusal !== undefined) result.held.push({ ...want, reason: "refused", error: refusal });
      else result.planned.push(want);
    }
    ctx.events.emit({
      type: "agent.planned",
      message: `${result.planned.length} release(s) to stage`,
      data: {
        commit,
        dryRun: ctx.dryRun,
        actions: result.planned.map(
          (p) => `stage ${p.app} release ${p.release}: staging names it and it has no verdict`,
        ),
      },
    });
    if (ctx.dryRun) return result;
    for (const want of result.planned) submitStage(ctx, want, { mirror, commit, reader });
    return result;
  }

  /** Hands one release to its app's worker; a host fault there is tried again after its backoff. */
  function submitStage(
    ctx: PassContext<StageOutcome>,
    want: { app: string; release: number },
    from: { mirror: string; commit: string; reader: ObjectReader },
  ): void {
    const key = `${want.app}@${want.release}`;
    judged.add(key);
    void ctx.workers.submit(want.app, {
      what: "stage",
      release: want.release,
      run: async (signal) => {
        const outcome = await stageApp({
          ...want,
          repo: options.repo,
          data: ctx.data,
          ...from,
          events: ctx.events,
          drivers: ctx.drivers,
          signal,
          ...(options.host ? { host: options.host } : {}),
          ...(options.sign ? { sign: options.sign } : {}),
        });
        followHostFault(ctx, want, outcome, () => submitStage(ctx, want, from));
        return outcome;
      },
    });
  }

  /**
   * A release the host failed to stage (a full disk …) is not judged: it is tried again after
   * the production agent's backoff (1 s doubling up to 60 s), by a timer of its own (a pass that
   * comes first stages it too); stage.retry_scheduled says when. Not with --once: its next run does.
   */
  function followHostFault(
    ctx: PassContext<StageOutcome>,
    want: { app: string; release: number },
    outcome: StageOutcome,
    again: () => void,
  ): void {
    const key = `${want.app}@${want.release}`;
    if (!("reason" in outcome) || outcome.reason !== "host-fault") {
      attempts.delete(key);
      timers?.clear(want.app);
      return;
    }
    judged.delete(key);
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const delayMs = retryDelay(attempt);
    timers ??= options.retry === false ? undefined : createRetryTimers(ctx.stopping);
    ctx.events.emit({
      type: "stage.retry_scheduled",
      app: want.app,
      release: want.release,
      message: `staging release ${want.release} failed for a host reason (${outcome.error.code}); try ${attempt + 1} in ${delayMs}ms${timers ? "" : " (at the next agent run after that)"}`,
      error: outcome.error,
      data: { code: outcome.error.code, attempt, delayMs, at: new Date(Date.now() + delayMs).toISOString() },
    });
    // A pass that came first staged it already (or a newer release): the timer does nothing then.
    timers?.schedule(want.app, Date.now() + delayMs, () => {
      if (!judged.has(key)) again();
    });
  }
}

/** The gate's refusal of a staging release, or undefined when it may be staged. */
function refusalOf(
  want: { app: string; release: number },
  gated: { release?: number; error?: SerializedError } | undefined,
): SerializedError | undefined {
  if (gated?.error !== undefined) return gated.error;
  if (gated?.release === want.release) return undefined;
  return {
    code: "ERR_SKIFF_CURRENT_INVALID",
    message: `the signed staging record of ${want.app} names release ${gated?.release ?? "none"}, not ${want.release}`,
  };
}

/** True when the release has a readable stage.json at `commit`: it was judged already. */
async function hasVerdict(
  reader: ObjectReader,
  commit: string,
  app: string,
  release: number,
): Promise<boolean> {
  const text = await reader.readFileAt(commit, stageRecordPath(app, release));
  if (text === undefined) return false;
  try {
    return StageRecordSchema.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
}
