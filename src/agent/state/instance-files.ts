import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { recordedInstances } from "./instance-records.js";
import { InstanceRecordSchema, type AgentState, type InstanceRecord } from "./state-schema.js";
import { writeFileDurably } from "./write-durably.js";

/** `<data>/instances/<id>/instance.json`: one instance's record, beside its log; state.json is their index. */
export function instanceRecordPath(data: string, id: string): string {
  return join(data, "instances", id, "instance.json");
}

/**
 * Writes the record of every instance `state` names that has none yet (an instance's record never
 * changes): what a lost state.json is rebuilt from. Instances whose folder is gone are skipped.
 */
export function writeInstanceRecords(data: string, state: AgentState): void {
  for (const app of Object.values(state.apps)) {
    for (const instance of recordedInstances(app)) writeInstanceRecord(data, instance);
  }
}

/**
 * Writes one instance's record the moment its driver started it, before state.json names it: an
 * agent killed in between leaves a record the next start finds (stopStrayInstances), never a
 * process nothing knows of.
 */
export function writeInstanceRecord(data: string, record: InstanceRecord): void {
  const path = instanceRecordPath(data, record.id);
  if (existsSync(path) || !existsSync(join(data, "instances", record.id))) return;
  writeFileDurably(path, JSON.stringify(record, null, 2) + "\n", "recording an instance");
}

/** Instance `id`'s record; undefined when it has none that can be read (missing, torn or foreign). */
export function readInstanceRecord(data: string, id: string): InstanceRecord | undefined {
  try {
    const parsed = InstanceRecordSchema.safeParse(
      JSON.parse(readFileSync(instanceRecordPath(data, id), "utf8")),
    );
    return parsed.success && parsed.data.id === id ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Every instance record in the data dir that can be read (a torn or foreign file is skipped). */
export function readInstanceRecords(data: string): InstanceRecord[] {
  const root = join(data, "instances");
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((id) => readInstanceRecord(data, id) ?? []);
}
