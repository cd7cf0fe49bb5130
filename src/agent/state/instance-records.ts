import type { Instance } from "../../drivers/index.js";
import type { AppState, InstanceReason, InstanceRecord } from "./state-schema.js";

/** A driver's instance as state records it: with the reason it was started. */
export function asRecord(instance: Instance, reason: InstanceReason): InstanceRecord {
  return { ...instance, reason: "reason" in instance ? (instance as InstanceRecord).reason : reason };
}

/** Every instance state knows of for an app, once each: those that serve and both sides of a swap. */
export function recordedInstances(app: AppState | undefined): InstanceRecord[] {
  const seen = new Map<string, InstanceRecord>();
  for (const instance of [...(app?.instances ?? []), ...(app?.swap?.old ?? []), ...(app?.swap?.next ?? [])])
    if (!seen.has(instance.id)) seen.set(instance.id, instance);
  return [...seen.values()];
}

/**
 * `instances` as state records them for the app: each one state knew already keeps the reason it
 * was recorded with (an old instance that serves again), a new one gets `reason`.
 */
export function keepRecords(
  app: AppState | undefined,
  instances: readonly Instance[],
  reason: InstanceReason,
): InstanceRecord[] {
  const known = new Map(recordedInstances(app).map((i) => [i.id, i]));
  return instances.map((i) => known.get(i.id) ?? asRecord(i, reason));
}
