import { parseDuration, type RolloutConfig } from "../config/index.js";
import type { DoneRecord, FailedRecord, LastReleaseRecord, PausedRecord, SpecRecord } from "./records.js";

/** A host in a rollout's slot queue; the `limit` lowest create revisions hold the slots. */
export interface SlotWaiter {
  host: string;
  createRevision: string;
}

/** One app's release rollout as read from etcd in one transaction (one revision). */
export interface RolloutSnapshot {
  revision: string;
  paused: PausedRecord | undefined;
  /** Hosts that publish a status for the app: what a percentage of max_parallel is of. */
  hostsRunningApp: string[];
  spec: SpecRecord | undefined;
  failed: FailedRecord | undefined;
  lastRelease: (LastReleaseRecord & { modRevision: string }) | undefined;
  /** Sorted by create revision, oldest first. */
  slots: SlotWaiter[];
  done: DoneRecord[];
}

export type SlotDecision =
  | { kind: "halted"; failure: FailedRecord }
  /** This host's key is not in the queue: put it (first time, or it went with a lost lease). */
  | { kind: "enqueue" }
  | { kind: "wait"; reason: "paused"; paused: PausedRecord }
  /** position: 1 for the first host in line behind the holders. */
  | { kind: "wait"; reason: "slots"; position: number; limit: number; holders: string[] }
  /** Holds a slot, but deploy.rollout.pause has not passed since the last slot was given back. */
  | { kind: "wait"; reason: "pause"; untilMs: number; createRevision: string }
  | { kind: "hold"; createRevision: string; limit: number };

/** Slots for a rollout: a number of hosts, or a percentage of those that run the app (rounded down, at least 1). */
export function resolveSlotLimit(maxParallel: number | string, hostsRunningApp: number): number {
  if (typeof maxParallel === "number") return Math.max(1, maxParallel);
  const percent = Number(maxParallel.replace(/%$/, ""));
  return Math.max(1, Math.floor((hostsRunningApp * percent) / 100));
}

/** The rollout's settings: fixed by the first host that asked (the spec), else this host's. */
export function effectiveRollout(snapshot: RolloutSnapshot, rollout: RolloutConfig): RolloutConfig {
  const spec = snapshot.spec;
  if (spec === undefined) return rollout;
  return { max_parallel: spec.max_parallel, pause: spec.pause, halt_on_failure: spec.halt_on_failure };
}

export interface PlanSlotInput {
  snapshot: RolloutSnapshot;
  host: string;
  rollout: RolloutConfig;
  now: number;
  /** When this host first saw the current last-release record (bounds a clock skew between hosts). */
  lastReleaseSeenMs?: number;
}

/** What a host asking for a slot does next. Pure: the etcd semaphore recipe over one snapshot. */
export function planSlot(input: PlanSlotInput): SlotDecision {
  const { snapshot, host, now } = input;
  const rollout = effectiveRollout(snapshot, input.rollout);
  if (snapshot.failed !== undefined && snapshot.failed.halted)
    return { kind: "halted", failure: snapshot.failed };
  const position = snapshot.slots.findIndex((waiter) => waiter.host === host);
  if (position < 0) return { kind: "enqueue" };
  if (snapshot.paused !== undefined) return { kind: "wait", reason: "paused", paused: snapshot.paused };
  const hosts = new Set([...snapshot.hostsRunningApp, host]).size;
  const limit = resolveSlotLimit(rollout.max_parallel, hosts);
  if (position >= limit) {
    const holders = snapshot.slots.slice(0, limit).map((waiter) => waiter.host);
    return { kind: "wait", reason: "slots", position: position - limit + 1, limit, holders };
  }
  const createRevision = snapshot.slots[position]!.createRevision;
  const last = snapshot.lastRelease;
  const pauseMs = parseDuration(rollout.pause);
  if (last !== undefined && pauseMs > 0) {
    const releasedMs = Math.min(Date.parse(last.at), input.lastReleaseSeenMs ?? Number.POSITIVE_INFINITY);
    const untilMs = releasedMs + pauseMs;
    if (untilMs > now) return { kind: "wait", reason: "pause", untilMs, createRevision };
  }
  return { kind: "hold", createRevision, limit };
}
