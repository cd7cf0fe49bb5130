import type { IKeyValue, IRequestOp, ITxnResponse } from "etcd3";
import { getOp, getPrefixOp, rangeKvs, revisionBefore } from "./etcd-ops.js";
import { parseKey, type FleetKeys } from "./keys.js";
import type { RolloutSnapshot } from "./plan-slot.js";
import {
  DoneRecordSchema,
  FailedRecordSchema,
  LastReleaseRecordSchema,
  PausedRecordSchema,
  SpecRecordSchema,
  parseRecord,
  type DoneRecord,
} from "./records.js";

/** The read part of a slot transaction: three ranges, appended after any writes. */
export function rolloutReadOps(keys: FleetKeys, app: string, release: number): IRequestOp[] {
  return [
    getOp(keys.paused(app)),
    getPrefixOp(keys.appHosts(app), { keysOnly: true }),
    getPrefixOp(keys.rollout(app, release)),
  ];
}

/** Parses the responses of rolloutReadOps, which are the last three of the transaction. */
export function parseRolloutSnapshot(keys: FleetKeys, response: ITxnResponse): RolloutSnapshot {
  const responses = response.responses;
  const [paused, hosts, rollout] = responses.slice(responses.length - 3);
  const snapshot: RolloutSnapshot = {
    revision: response.header.revision,
    paused: firstRecord(rangeKvs(paused), (kv) => parseRecord(PausedRecordSchema, kv.value)),
    hostsRunningApp: rangeKvs(hosts).flatMap((kv) => {
      const key = parseKey(keys, kv.key.toString());
      return key.kind === "app-host" ? [key.host] : [];
    }),
    spec: undefined,
    failed: undefined,
    lastRelease: undefined,
    slots: [],
    done: [],
  };
  for (const kv of rangeKvs(rollout)) addRolloutKey(keys, snapshot, kv);
  snapshot.slots.sort((a, b) => (revisionBefore(a.createRevision, b.createRevision) ? -1 : 1));
  return snapshot;
}

function firstRecord<T>(kvs: IKeyValue[], parse: (kv: IKeyValue) => T | undefined): T | undefined {
  return kvs.length === 0 ? undefined : parse(kvs[0]!);
}

function addRolloutKey(keys: FleetKeys, snapshot: RolloutSnapshot, kv: IKeyValue): void {
  const key = parseKey(keys, kv.key.toString());
  switch (key.kind) {
    case "spec":
      snapshot.spec = parseRecord(SpecRecordSchema, kv.value);
      break;
    case "failed":
      snapshot.failed = parseRecord(FailedRecordSchema, kv.value);
      break;
    case "last-release": {
      const record = parseRecord(LastReleaseRecordSchema, kv.value);
      snapshot.lastRelease = record === undefined ? undefined : { ...record, modRevision: kv.mod_revision };
      break;
    }
    case "slot":
      // The key names the host; its value is informative only, so a torn value still holds its place.
      snapshot.slots.push({ host: key.host, createRevision: kv.create_revision });
      break;
    case "done": {
      const record: DoneRecord | undefined = parseRecord(DoneRecordSchema, kv.value);
      if (record !== undefined) snapshot.done.push(record);
      break;
    }
    default:
      break;
  }
}
