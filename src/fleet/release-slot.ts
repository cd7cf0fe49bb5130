import { setTimeout as sleep } from "node:timers/promises";
import type { SerializedError } from "../errors/index.js";
import { absent, createdAt, deleteOp, putOp } from "./etcd-ops.js";
import { isUnreachable } from "./etcd-errors.js";
import { emitRollout, type GateContext, type HeldSlot } from "./gate-context.js";
import type { DoneRecord, FailedRecord, LastReleaseRecord } from "./records.js";
import type { SlotOutcome } from "./types.js";

const REFUSED_RETRY_MS = 2000;

/**
 * Records the host's outcome for the fleet, then gives the slot back, in that order: a failure is
 * in etcd before any waiter can take the slot, so with halt_on_failure no other host starts the
 * release. Retries while etcd is away; gives up only when the gate closes.
 */
export async function releaseSlot(ctx: GateContext, slot: HeldSlot, outcome: SlotOutcome): Promise<void> {
  const at = new Date().toISOString();
  const error = outcome.ok ? undefined : (outcome.error ?? defaultError(ctx, slot));
  const done: DoneRecord = { host: ctx.host, ok: outcome.ok, at, ...(error ? { error } : {}) };
  let failureRecorded = outcome.ok;
  for (;;) {
    const lease = await ctx.session.waitUp(ctx.closing);
    if (lease === undefined) return;
    try {
      if (!failureRecorded) {
        await recordFailure(ctx, slot, error!, at);
        failureRecorded = true;
      }
      await giveBack(ctx, slot, done, at);
      ctx.held.delete(slot);
      return;
    } catch (failure) {
      ctx.session.reportFailure(failure);
      if (!isUnreachable(failure))
        await sleep(REFUSED_RETRY_MS, undefined, { signal: ctx.closing }).catch(() => undefined);
    }
  }
}

function defaultError(ctx: GateContext, slot: HeldSlot): SerializedError {
  return {
    code: "ERR_SKIFF_DEPLOY_FAILED",
    message: `release ${slot.release} of ${slot.app} failed on ${ctx.host}`,
  };
}

/** The first failure of a release is the rollout's (only one host's transaction can create the key). */
async function recordFailure(
  ctx: GateContext,
  slot: HeldSlot,
  error: SerializedError,
  at: string,
): Promise<void> {
  const halted = slot.rollout.halt_on_failure;
  const failed: FailedRecord = { host: ctx.host, error, at, halted };
  const key = ctx.keys.failed(slot.app, slot.release);
  const response = await ctx.client.kv.txn({ compare: [absent(key)], success: [putOp(key, failed)] });
  if (!response.succeeded || !halted) return;
  emitRollout(
    ctx,
    "rollout.halted",
    slot,
    `the rollout of ${slot.app} release ${slot.release} halted at ${ctx.host}: ${error.message}`,
    { error, data: { failedHost: ctx.host } },
  );
}

async function giveBack(ctx: GateContext, slot: HeldSlot, done: DoneRecord, at: string): Promise<void> {
  const last: LastReleaseRecord = { host: ctx.host, at };
  const doneKey = ctx.keys.done(slot.app, slot.release, ctx.host);
  const response = await ctx.client.kv.txn({
    compare: [createdAt(slot.key, slot.createRevision)],
    success: [
      putOp(doneKey, done),
      putOp(ctx.keys.lastRelease(slot.app, slot.release), last),
      deleteOp(slot.key),
    ],
    failure: [putOp(doneKey, done)],
  });
  if (!response.succeeded && !slot.lost) {
    slot.lost = true;
    emitRollout(ctx, "rollout.slot_lost", slot, lostMessage(slot));
  }
  emitRollout(
    ctx,
    "rollout.slot_released",
    slot,
    `gave back the slot for ${slot.app} release ${slot.release} (${done.ok ? "ok" : "failed"})`,
    { data: { ok: done.ok, lost: slot.lost } },
  );
}

export function lostMessage(slot: HeldSlot): string {
  return `the slot for ${slot.app} release ${slot.release} expired while etcd was unreachable; another host may have started`;
}
