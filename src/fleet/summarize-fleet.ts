import type { IKeyValue } from "etcd3";
import { revisionBefore } from "./etcd-ops.js";
import { parseKey, type FleetKeys } from "./keys.js";
import { resolveSlotLimit } from "./plan-slot.js";
import {
  DoneRecordSchema,
  FailedRecordSchema,
  HostRecordSchema,
  PausedRecordSchema,
  SlotRecordSchema,
  SpecRecordSchema,
  StoredAppStatusSchema,
  parseRecord,
  type DoneRecord,
  type FailedRecord,
  type PausedRecord,
  type SpecRecord,
  type StoredAppStatus,
} from "./records.js";

export interface FleetHostStatus {
  host: string;
  labels: Record<string, string>;
  started: string;
  apps: StoredAppStatus[];
}

/** One app's latest rollout: which hosts are done, failed, swapping (took a slot) or waiting for one. */
export interface RolloutState {
  release: number;
  maxParallel: number | string;
  /** Slots at once now (max_parallel resolved against the hosts that run the app). */
  limit: number;
  pause: string;
  haltOnFailure: boolean;
  started: string;
  startedBy: string;
  done: string[];
  failed: { host: string; error: DoneRecord["error"]; at: string }[];
  swapping: string[];
  waiting: string[];
  halted?: FailedRecord;
}

export interface FleetAppStatus {
  app: string;
  paused?: PausedRecord;
  rollout?: RolloutState;
  /** Every host that publishes the app, by host name. */
  hosts: StoredAppStatus[];
}

export interface FleetStatus {
  /** The etcd revision this was read at. */
  revision: string;
  hosts: FleetHostStatus[];
  apps: FleetAppStatus[];
}

interface RolloutKeys {
  spec?: SpecRecord;
  failed?: FailedRecord;
  slots: { host: string; createRevision: string; swapping: boolean }[];
  done: DoneRecord[];
}

interface AppKeys {
  paused?: PausedRecord;
  hosts: StoredAppStatus[];
  rollouts: Map<number, RolloutKeys>;
}

/** Builds the fleet's picture from every key under the prefix, read at one revision. Pure. */
export function summarizeFleet(
  keys: FleetKeys,
  kvs: readonly IKeyValue[],
  revision: string,
  only?: string,
): FleetStatus {
  const hosts = new Map<string, FleetHostStatus>();
  const apps = new Map<string, AppKeys>();
  const appOf = (app: string): AppKeys => {
    let entry = apps.get(app);
    if (entry === undefined) apps.set(app, (entry = { hosts: [], rollouts: new Map() }));
    return entry;
  };
  for (const kv of kvs) {
    const key = parseKey(keys, kv.key.toString());
    if (key.kind === "host") {
      const record = parseRecord(HostRecordSchema, kv.value);
      if (record)
        hosts.set(record.host, {
          host: record.host,
          labels: record.labels,
          started: record.started,
          apps: [],
        });
      continue;
    }
    if (key.kind === "unknown" || (only !== undefined && key.app !== only)) continue;
    const app = appOf(key.app);
    if (key.kind === "app-host") {
      const status = parseRecord(StoredAppStatusSchema, kv.value);
      if (status) app.hosts.push(status);
    } else if (key.kind === "paused") {
      app.paused = parseRecord(PausedRecordSchema, kv.value);
    } else {
      addRolloutKey(app, key, kv);
    }
  }
  for (const [, app] of apps) {
    for (const status of app.hosts) hosts.get(status.host)?.apps.push(status);
  }
  const byName = <T extends { host: string }>(a: T, b: T): number => a.host.localeCompare(b.host);
  const hostList = [...hosts.values()]
    .filter((host) => only === undefined || host.apps.length > 0)
    .sort(byName)
    .map((host) => ({ ...host, apps: host.apps.sort((a, b) => a.app.localeCompare(b.app)) }));
  const appList = [...apps.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, app]): FleetAppStatus => {
      const rollout = latestRollout(app);
      return {
        app: name,
        ...(app.paused ? { paused: app.paused } : {}),
        ...(rollout ? { rollout } : {}),
        hosts: app.hosts.sort(byName),
      };
    });
  return { revision, hosts: hostList, apps: appList };
}

function addRolloutKey(app: AppKeys, key: ReturnType<typeof parseKey>, kv: IKeyValue): void {
  if (!("release" in key)) return;
  let rollout = app.rollouts.get(key.release);
  if (rollout === undefined) app.rollouts.set(key.release, (rollout = { slots: [], done: [] }));
  if (key.kind === "spec") rollout.spec = parseRecord(SpecRecordSchema, kv.value);
  else if (key.kind === "failed") rollout.failed = parseRecord(FailedRecordSchema, kv.value);
  else if (key.kind === "slot") {
    const swapping = parseRecord(SlotRecordSchema, kv.value)?.swapping !== undefined;
    rollout.slots.push({ host: key.host, createRevision: kv.create_revision, swapping });
  } else if (key.kind === "done") {
    const done = parseRecord(DoneRecordSchema, kv.value);
    if (done) rollout.done.push(done);
  }
}

function latestRollout(app: AppKeys): RolloutState | undefined {
  const releases = [...app.rollouts.keys()].filter((r) => app.rollouts.get(r)!.spec !== undefined);
  if (releases.length === 0) return undefined;
  const release = Math.max(...releases);
  const keys = app.rollouts.get(release)!;
  const spec = keys.spec!;
  const limit = resolveSlotLimit(spec.max_parallel, new Set(app.hosts.map((h) => h.host)).size);
  const queue = [...keys.slots].sort((a, b) => (revisionBefore(a.createRevision, b.createRevision) ? -1 : 1));
  return {
    release,
    maxParallel: spec.max_parallel,
    limit,
    pause: spec.pause,
    haltOnFailure: spec.halt_on_failure,
    started: spec.started,
    startedBy: spec.by,
    done: keys.done
      .filter((d) => d.ok)
      .map((d) => d.host)
      .sort(),
    failed: keys.done.filter((d) => !d.ok).map((d) => ({ host: d.host, error: d.error, at: d.at })),
    swapping: queue.filter((slot) => slot.swapping).map((slot) => slot.host),
    waiting: queue.filter((slot) => !slot.swapping).map((slot) => slot.host),
    ...(keys.failed?.halted ? { halted: keys.failed } : {}),
  };
}
