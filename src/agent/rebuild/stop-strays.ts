import type { EventBus } from "../../events/index.js";
import { getDriver } from "../../drivers/index.js";
import { serializeError } from "../../errors/index.js";
import { inspectInstance } from "../instance/index.js";
import { readInstanceRecords, readState, recordedInstances, type InstanceRecord } from "../state/index.js";

/**
 * Instances that still run with only their own record: `named` (what state.json names) lacks them.
 * `app`: of that app only.
 */
export async function runningUnnamed(
  data: string,
  named: ReadonlySet<string>,
  app?: string,
): Promise<InstanceRecord[]> {
  const running: InstanceRecord[] = [];
  for (const record of readInstanceRecords(data)) {
    if (named.has(record.id) || (app !== undefined && record.app !== app)) continue;
    if ((await inspectInstance(record)) === "running") running.push(record);
  }
  return running;
}

/**
 * At an agent's start, under its lock: an instance whose record exists but that state.json never
 * named (the agent was killed between its driver's start and the state write) and that still runs
 * is stopped, and reported as instance.stray_stopped. Only this agent starts instances in its data
 * dir, and it holds the lock, so such an instance belongs to nobody. Never throws.
 */
export async function stopStrayInstances(options: { data: string; events: EventBus }): Promise<string[]> {
  const { data, events } = options;
  const named = new Set(
    Object.values(readState(data).apps).flatMap((app) => recordedInstances(app).map((i) => i.id)),
  );
  const stopped: string[] = [];
  for (const record of await runningUnnamed(data, named)) {
    try {
      await getDriver(record.driver).stop(record, { graceMs: 2000 });
      stopped.push(record.id);
      events.emit({
        type: "instance.stray_stopped",
        app: record.app,
        release: record.release,
        message: `stopped ${record.id}: it was started, but its agent died before recording it`,
        data: { instance: record.id, handle: record.handle },
      });
    } catch (error) {
      events.emit({
        type: "instance.stray_stopped",
        app: record.app,
        release: record.release,
        message: `could not stop ${record.id}, started by an agent that died before recording it`,
        error: serializeError(error),
        data: { instance: record.id, handle: record.handle },
      });
    }
  }
  return stopped;
}
