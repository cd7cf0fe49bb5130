import { resolve, sep } from "node:path";
import { INSTANCE_MARK_ENV } from "../../drivers/index.js";
import { findMarkedValues, terminateGroup } from "../../process/index.js";
import { readInstanceRecord } from "../state/index.js";

/** A running instance known only by the mark its driver put in its processes' environment. */
export interface UnrecordedInstance {
  id: string;
  app: string;
  release: number;
  /** Its processes: the one the driver started and any it started in turn. */
  pids: number[];
}

/** An instance id is `<app>-<release>-<suffix>` (createInstanceId); the suffix has no dash. */
function parseInstanceId(id: string): { app: string; release: number } | undefined {
  const match = /^(.+)-(\d+)-[a-z0-9]+$/.exec(id);
  return match ? { app: match[1]!, release: Number(match[2]) } : undefined;
}

/**
 * Instances of data dir `data` that run with neither a record nor a place in `named` (what
 * state.json names): their driver started them, then writing the record failed (a full disk) and
 * the agent was killed before it could stop them. Found by the folder their processes are marked
 * with (INSTANCE_MARK_ENV), which Xen domains lack. `app`: of that app only.
 */
export function runningUnrecorded(
  data: string,
  named: ReadonlySet<string>,
  app?: string,
): UnrecordedInstance[] {
  const root = resolve(data, "instances") + sep;
  const pidsOf = new Map<string, number[]>();
  for (const { pid, value } of findMarkedValues(INSTANCE_MARK_ENV)) {
    if (!value.startsWith(root)) continue;
    const id = value.slice(root.length);
    pidsOf.set(id, [...(pidsOf.get(id) ?? []), pid]);
  }
  // Only the ids that run are looked up: the folder keeps the record of every instance it ever had.
  return [...pidsOf].flatMap(([id, pids]) => {
    const parsed = parseInstanceId(id);
    if (parsed === undefined || named.has(id) || (app !== undefined && parsed.app !== app)) return [];
    return readInstanceRecord(data, id) === undefined ? [{ id, ...parsed, pids }] : [];
  });
}

/** Stops every process of `instance` (each one's group: SIGTERM, SIGKILL after `graceMs`). */
export async function stopUnrecorded(instance: UnrecordedInstance, graceMs: number): Promise<void> {
  await Promise.all(instance.pids.map((pid) => terminateGroup(pid, graceMs)));
}
