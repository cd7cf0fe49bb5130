import { setTimeout as sleep } from "node:timers/promises";
import type { IRequestOp } from "etcd3";
import { APP_NAME_PATTERN, type RolloutConfig } from "../config/index.js";
import { SkiffError } from "../errors/index.js";
import { absent, createdAt, deleteOp, deleteRangeOp, putOp } from "./etcd-ops.js";
import { isUnreachable } from "./etcd-errors.js";
import { emitRollout, type GateContext, type HeldSlot } from "./gate-context.js";
import { effectiveRollout, planSlot, type RolloutSnapshot, type SlotDecision } from "./plan-slot.js";
import { parseRolloutSnapshot, rolloutReadOps } from "./read-rollout.js";
import type { FailedRecord, SlotRecord, SpecRecord } from "./records.js";
import { releaseSlot } from "./release-slot.js";
import { reportWait, type WaitReport } from "./report-wait.js";
import type { AcquireSlotInput, SwapSlot } from "./types.js";
import { waitForFirst } from "./wake.js";

/** Rollouts kept per app: older ones are removed when a new one starts. */
const KEPT_ROLLOUTS = 10;
const REFUSED_RETRY_MS = 2000;

interface Attempt {
  ctx: GateContext;
  input: AcquireSlotInput;
  key: string;
  /** Aborted by the caller or by close(). */
  signal: AbortSignal;
  /** The lease our slot key was last put with: a new lease means putting it again. */
  putLease: string | undefined;
  lastRelease: { revision: string; seenMs: number } | undefined;
  lastWait: WaitReport | undefined;
  startedMs: number;
}

/**
 * The etcd semaphore recipe: the host puts a key under the release's slots/ with its lease; the
 * `limit` keys with the lowest create revisions hold the slots; the others wait (on a watch) until
 * keys before them go, given back or expired with a dead host's lease.
 */
export async function acquireSlot(ctx: GateContext, input: AcquireSlotInput): Promise<SwapSlot> {
  checkInput(input);
  const key = ctx.keys.slot(input.app, input.release, ctx.host);
  ctx.withdrawals.delete(key);
  const attempt: Attempt = {
    ctx,
    input,
    key,
    signal: AbortSignal.any([input.signal, ctx.closing]),
    putLease: undefined,
    lastRelease: undefined,
    lastWait: undefined,
    startedMs: Date.now(),
  };
  try {
    return await queueForSlot(attempt);
  } catch (error) {
    if (attempt.putLease !== undefined) withdraw(ctx, key);
    throw error;
  }
}

function checkInput(input: AcquireSlotInput): void {
  if (!APP_NAME_PATTERN.test(input.app)) throw new TypeError(`fleet: acquireSlot: bad app name ${input.app}`);
  if (!Number.isInteger(input.release) || input.release < 1) {
    throw new TypeError(`fleet: acquireSlot: bad release ${input.release}`);
  }
}

async function queueForSlot(attempt: Attempt): Promise<SwapSlot> {
  const { ctx, input, signal } = attempt;
  for (;;) {
    signal.throwIfAborted();
    const lease = ctx.session.currentLease();
    if (lease === undefined) {
      if (ctx.optional) return goAlone(attempt);
      waitFor(attempt, { reason: "unreachable" });
      await waitForFirst(signal, [(s) => ctx.session.waitUp(s)]);
      continue;
    }
    const snapshot = await readQueue(attempt, lease);
    if (snapshot === undefined) continue;
    const decision = decide(attempt, snapshot);
    switch (decision.kind) {
      case "halted":
        throw haltedError(input.app, input.release, decision.failure);
      case "enqueue":
        attempt.putLease = undefined;
        continue;
      case "wait":
        waitFor(attempt, decision);
        await waitForFirst(signal, [
          (s) => ctx.feed.waitAfter(snapshot.revision, s),
          (s) => ctx.session.waitChange(s),
          ...(decision.reason === "pause"
            ? [(s: AbortSignal) => sleep(decision.untilMs - Date.now(), undefined, { signal: s })]
            : []),
        ]);
        continue;
      case "hold":
        return holdSlot(
          attempt,
          decision.createRevision,
          effectiveRollout(snapshot, input.rollout),
          decision.limit,
        );
    }
  }
}

function decide(attempt: Attempt, snapshot: RolloutSnapshot): SlotDecision {
  const last = snapshot.lastRelease;
  if (last !== undefined && last.modRevision !== attempt.lastRelease?.revision) {
    attempt.lastRelease = { revision: last.modRevision, seenMs: Date.now() };
  }
  return planSlot({
    snapshot,
    host: attempt.ctx.host,
    rollout: attempt.input.rollout,
    now: Date.now(),
    ...(attempt.lastRelease ? { lastReleaseSeenMs: attempt.lastRelease.seenMs } : {}),
  });
}

/** One transaction: (re)puts our key when needed, then reads the queue; undefined when etcd failed. */
async function readQueue(attempt: Attempt, lease: string): Promise<RolloutSnapshot | undefined> {
  const { ctx, input } = attempt;
  const reads = rolloutReadOps(ctx.keys, input.app, input.release);
  const enqueue = attempt.putLease !== lease;
  try {
    const slot: SlotRecord = { host: ctx.host, since: new Date(attempt.startedMs).toISOString() };
    const specKey = ctx.keys.spec(input.app, input.release);
    const response = await ctx.client.kv.txn(
      enqueue
        ? {
            compare: [absent(specKey)],
            // The first host to ask fixes the rollout's settings and retires old rollouts.
            success: [...startRollout(attempt), putOp(attempt.key, slot, lease), ...reads],
            failure: [putOp(attempt.key, slot, lease), ...reads],
          }
        : { success: reads },
    );
    if (enqueue) attempt.putLease = lease;
    return parseRolloutSnapshot(ctx.keys, response);
  } catch (error) {
    ctx.session.reportFailure(error);
    if (!isUnreachable(error)) {
      waitFor(attempt, {
        reason: "refused",
        message: error instanceof Error ? error.message : String(error),
      });
      await sleep(REFUSED_RETRY_MS, undefined, { signal: attempt.signal }).catch(() => undefined);
    }
    return undefined;
  }
}

function startRollout(attempt: Attempt): IRequestOp[] {
  const { ctx, input } = attempt;
  const rollout: RolloutConfig = input.rollout;
  const spec: SpecRecord = {
    app: input.app,
    release: input.release,
    max_parallel: rollout.max_parallel,
    pause: rollout.pause,
    halt_on_failure: rollout.halt_on_failure,
    started: new Date().toISOString(),
    by: ctx.host,
  };
  const ops = [putOp(ctx.keys.spec(input.app, input.release), spec)];
  // Removes the rollouts below release - KEPT_ROLLOUTS + 1: this one and the 9 before it stay.
  if (input.release > KEPT_ROLLOUTS) {
    const oldest = ctx.keys.rollout(input.app, input.release - KEPT_ROLLOUTS + 1);
    ops.push(deleteRangeOp(ctx.keys.rollouts(input.app), oldest));
  }
  return ops;
}

function holdSlot(attempt: Attempt, createRevision: string, rollout: RolloutConfig, limit: number): SwapSlot {
  const { ctx, input } = attempt;
  const slot: HeldSlot = {
    app: input.app,
    release: input.release,
    key: attempt.key,
    createRevision,
    lease: attempt.putLease!,
    rollout,
    lost: false,
  };
  ctx.held.add(slot);
  markSwapping(attempt, createRevision);
  const waitedMs = Date.now() - attempt.startedMs;
  emitRollout(
    ctx,
    "rollout.slot_acquired",
    slot,
    `took a slot for ${slot.app} release ${slot.release} (${limit} at once)`,
    {
      data: { waitedMs, limit },
    },
  );
  let released: Promise<void> | undefined;
  return {
    held: true,
    release: (outcome) => (released ??= releaseSlot(ctx, slot, outcome)),
  };
}

/** For fleet status: the key says it is swapping now. Informative, so not waited for; fenced, so it never re-creates a given-back key. */
function markSwapping(attempt: Attempt, createRevision: string): void {
  const { ctx } = attempt;
  const record: SlotRecord = {
    host: ctx.host,
    since: new Date(attempt.startedMs).toISOString(),
    swapping: new Date().toISOString(),
  };
  ctx.client.kv
    .txn({
      compare: [createdAt(attempt.key, createRevision)],
      success: [putOp(attempt.key, record, attempt.putLease)],
    })
    .catch((error: unknown) => ctx.session.reportFailure(error));
}

/** --fleet-optional with etcd away: the host swaps alone, and says so. */
function goAlone(attempt: Attempt): SwapSlot {
  const { ctx, input } = attempt;
  emitRollout(
    ctx,
    "rollout.slot_skipped",
    input,
    `etcd is unreachable: swapping ${input.app} release ${input.release} without a slot (--fleet-optional)`,
  );
  return { held: false, release: () => Promise.resolve() };
}

function waitFor(attempt: Attempt, report: WaitReport): void {
  attempt.lastWait = reportWait(attempt.ctx, attempt.input, attempt.lastWait, report);
}

/** Our key leaves the queue now, or once etcd is back (the session's onUp deletes what is left). */
function withdraw(ctx: GateContext, key: string): void {
  ctx.withdrawals.add(key);
  ctx.client.kv.txn({ success: [deleteOp(key)] }).then(
    () => ctx.withdrawals.delete(key),
    (error: unknown) => ctx.session.reportFailure(error),
  );
}

function haltedError(app: string, release: number, failure: FailedRecord): SkiffError {
  return new SkiffError(
    "ERR_SKIFF_ROLLOUT_HALTED",
    `the rollout of ${app} release ${release} halted: it failed on ${failure.host}: ${failure.error.message}`,
    {
      hint: `this host keeps serving its release; store a fixed release to start a new rollout (skiff fleet status ${app} shows where and why)`,
      data: { app, release, failedHost: failure.host, error: failure.error, at: failure.at },
    },
  );
}
