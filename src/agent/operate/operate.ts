import { join } from "node:path";
import { parseDuration } from "../../config/index.js";
import { getDriver, readLogLines, type Instance } from "../../drivers/index.js";
import { SkiffError } from "../../errors/index.js";
import { EventLog, type EventBus } from "../../events/index.js";
import { closeAppFront } from "../front/index.js";
import { loadLocalRelease } from "../instance/index.js";
import { runningUnnamed, runningUnrecorded, stopUnrecorded } from "../rebuild/index.js";
import { readState, recordedInstances, updateAppState, type AppState } from "../state/index.js";
import { findInstanceLog } from "./instance-logs.js";

/** An instance `skiff stop` stopped. */
export type StoppedInstance = Pick<Instance, "id" | "app" | "release">;

function requireApp(data: string, app: string): AppState {
  const appState = readState(data).apps[app];
  if (appState === undefined) {
    throw new SkiffError("ERR_SKIFF_NO_SUCH_APP", `no app called ${app} was deployed with data dir ${data}`, {
      hint: `see the apps with skiff status --data ${data}`,
    });
  }
  return appState;
}

/**
 * Marks the app stopped by hand, so a running agent that reads state leaves it (and a swap in
 * flight gives up at its next step). Returns every instance recorded for it at that moment.
 */
export async function markStopped(data: string, app: string): Promise<Instance[]> {
  requireApp(data, app);
  return updateAppState(data, app, (s) => {
    s.stopped = { at: new Date().toISOString() };
    return recordedInstances(s);
  });
}

/**
 * `skiff stop`: marks the app stopped first (so a running agent that re-reads state does not
 * restart it), then stops every instance it has (both sides of a swap in progress too, and any
 * that still runs with a record state.json lost or never got). It stays
 * stopped until `current` changes or `skiff start`. `events`: the running agent's, when it stops
 * the app; `marked`: what was recorded when the agent marked it stopped (a swap given up since
 * no longer lists its old set). Returns the instances stopped.
 */
export async function stopApp(
  data: string,
  app: string,
  options: { events?: EventBus; marked?: readonly Instance[] } = {},
): Promise<StoppedInstance[]> {
  const recorded = await markStopped(data, app);
  const every = new Map([...(options.marked ?? []), ...recorded].map((i) => [i.id, i]));
  // Also one that runs with only its own record: started by an agent killed (or out of disk)
  // before state.json named it.
  for (const record of await runningUnnamed(data, new Set(every.keys()), app)) every.set(record.id, record);
  const graceOf = (release: number): number =>
    parseDuration(loadLocalRelease(data, app, release)?.manifest.deploy.stop_timeout ?? "10s");
  for (const instance of every.values()) {
    await getDriver(instance.driver).stop(instance, { graceMs: graceOf(instance.release) });
  }
  // And one with not even a record (it could not be written: a full disk), found by its mark.
  const unrecorded = runningUnrecorded(data, new Set(every.keys()), app);
  for (const stray of unrecorded) await stopUnrecorded(stray, graceOf(stray.release));
  if (every.size > 0) {
    await updateAppState(data, app, (s) => {
      s.instances = s.instances.filter((i) => !every.has(i.id));
    });
  }
  // The public address closes too; skiff start and the next pass open it again (same address).
  await closeAppFront(data, app);
  const stopped: StoppedInstance[] = [...every.values(), ...unrecorded];
  const first = stopped[0];
  const event = {
    type: "app.stopped",
    app,
    message: first ? `stopped ${stopped.map((i) => i.id).join(", ")} by hand` : "marked stopped by hand",
    ...(first ? { release: first.release, data: { instance: first.id } } : {}),
  };
  if (options.events) options.events.emit(event);
  else new EventLog(join(data, "events.jsonl")).emit({ time: new Date().toISOString(), ...event });
  return stopped;
}

/** `skiff start`: lifts the stop; the agent starts what `current` names on its next pass. */
export async function startApp(data: string, app: string): Promise<void> {
  requireApp(data, app);
  await updateAppState(data, app, (s) => {
    delete s.stopped;
    delete s.crashes;
    s.resumed = { at: new Date().toISOString() };
    // A retry after a host fault is due now (its attempt count, and so its backoff, is kept).
    if (s.retry) s.retry.at = new Date().toISOString();
  });
}

/** The last `lines` lines of the app's instance log (the running one, or the last recorded); `release`: that release's last instance, stopped or not. */
export async function readLogs(
  data: string,
  app: string,
  lines: number,
  options: { release?: number } = {},
): Promise<string[]> {
  const appState = requireApp(data, app);
  const instance = appState.instances[0];
  const byRelease = options.release !== undefined && options.release !== instance?.release;
  if (!byRelease && instance !== undefined)
    return lastLines(getDriver(instance.driver).logs(instance), lines);
  // Nothing runs (asleep, stopped, crashed): its last instance's log, as Heroku shows a sleeping app's.
  const release = byRelease ? options.release : (appState.asleep?.release ?? appState.lastDeploy?.release);
  const log = release === undefined ? undefined : findInstanceLog(data, app, release);
  if (log === undefined) {
    const which = options.release === undefined ? "no instance" : `no instance of release ${options.release}`;
    throw new SkiffError("ERR_SKIFF_NOT_RUNNING", `${app} has ${which} on this host`, {
      hint: `see its last deploy with skiff status --data ${data}`,
    });
  }
  return lastLines(readLogLines(log.path, { console: log.console }), lines);
}

async function lastLines(source: AsyncIterable<string>, count: number): Promise<string[]> {
  const tail: string[] = [];
  for await (const line of source) {
    tail.push(line);
    if (tail.length > count) tail.shift();
  }
  return tail;
}
