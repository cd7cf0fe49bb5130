import type { EventBus } from "../../events/index.js";
import { getDriver } from "../../drivers/index.js";
import { serializeError } from "../../errors/index.js";
import { inspectInstance } from "../instance/index.js";
import { readInstanceRecords, readState, recordedInstances, type InstanceRecord } from "../state/index.js";
import { runningUnrecorded, stopUnrecorded } from "./unrecorded.js";

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
 * At an agent's start, under its lock: an instance that still runs but that state.json never named
 * is stopped, and reported as instance.stray_stopped. Either it has a record (the agent was killed
 * between its driver's start and the state write) or only its processes' mark (the record could
 * not be written either, on a full disk). Only this agent starts instances in its data dir, and it
 * holds the lock, so such an instance belongs to nobody. Never throws.
 */
export async function stopStrayInstances(options: { data: string; events: EventBus }): Promise<string[]> {
  const { data, events } = options;
  const named = new Set(
    Object.values(readState(data).apps).flatMap((app) => recordedInstances(app).map((i) => i.id)),
  );
  const stopped: string[] = [];
  const report = async (
    stray: { id: string; app: string; release: number },
    handle: unknown,
    stop: () => Promise<void>,
    why: string,
  ): Promise<void> => {
    const about = { type: "instance.stray_stopped", app: stray.app, release: stray.release };
    try {
      await stop();
      stopped.push(stray.id);
      events.emit({
        ...about,
        message: `stopped ${stray.id}: it was started, but its agent died before ${why}`,
        data: { instance: stray.id, handle },
      });
    } catch (error) {
      events.emit({
        ...about,
        message: `could not stop ${stray.id}, started by an agent that died before ${why}`,
        error: serializeError(error),
        data: { instance: stray.id, handle },
      });
    }
  };
  for (const record of await runningUnnamed(data, named)) {
    const stop = (): Promise<void> => getDriver(record.driver).stop(record, { graceMs: 2000 });
    await report(record, record.handle, stop, "recording it");
  }
  for (const stray of runningUnrecorded(data, named)) {
    const stop = (): Promise<void> => stopUnrecorded(stray, 2000);
    await report(stray, { pids: stray.pids }, stop, "it could stop it (its record could not be written)");
  }
  return stopped;
}
