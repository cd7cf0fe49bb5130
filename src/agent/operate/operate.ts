import { join } from "node:path";
import { parseDuration } from "../../config/index.js";
import { getDriver, readLogLines, type Instance, type InstanceStatus } from "../../drivers/index.js";
import { SkiffError, type SerializedError } from "../../errors/index.js";
import { EventLog, type EventBus } from "../../events/index.js";
import { closeAppFront } from "../front/index.js";
import { inspectInstance, loadLocalRelease } from "../instance/index.js";
import {
  readState,
  recordedInstances,
  updateAppState,
  type AppState,
  type DeployResult,
  type InstanceReason,
  type Refusal,
  type RetryRecord,
} from "../state/index.js";

/** One instance (replica) of an app in `skiff status`. */
export interface InstanceRow {
  id: string;
  release: number;
  driver: string;
  pid?: number;
  address: string;
  status: InstanceStatus;
  /** Why it started: a deploy, a wake, a replica added under load, a restart. */
  reason: InstanceReason;
  since: string;
}
import { findInstanceLog } from "./instance-logs.js";

export interface AppStatus {
  app: string;
  /** The release, driver, id, pid, address and start of the app's (first) instance. */
  release?: number;
  driver?: string;
  instance?: string;
  pid?: number;
  address?: string;
  /** confirming: the instance serves, inside its confirmation window (the old one is kept until it ends). */
  /** asleep: scaled to zero (deploy.scale.min 0): the front door holds the next connection and wakes it. */
  status: InstanceStatus | "none" | "stopped" | "crash-loop" | "confirming" | "asleep";
  /** A deploy in its confirmation window: which release, since when. */
  confirming?: { release: number; since: string };
  /** Every instance of the app on this host (replicas). */
  instances: InstanceRow[];
  /** The app's public address (the front door), "host:port", and its URL: on the shared listener by hostname when it has one. */
  publicAddress?: string;
  url?: string;
  /** Scaled to zero with this release, since then. */
  asleep?: { release: number; since: string };
  /** Set once the instance crashed deploy.restart.limit times in a row and was left stopped. */
  crashLoop?: { release: number; restarts: number; at: string };
  since?: string;
  lastDeploy?: DeployResult;
  lastError?: SerializedError;
  /** The last release this host refused (signature, sequence, expiry, checksums …); active until one is accepted. */
  lastRefusal?: Refusal;
  failed: number[];
  /** A release that failed for a host reason (disk full …): its code, the try count, and when it is tried again. */
  retry?: RetryRecord;
  current?: number;
}

/** http://host:port for a public address; a wildcard host is shown as localhost. */
function publicUrl(address: string): string {
  const colon = address.lastIndexOf(":");
  const host = address.slice(0, colon);
  const shown = host === "0.0.0.0" || host === "[::]" || host === "::" ? "localhost" : host;
  return `http://${shown}:${address.slice(colon + 1)}`;
}

function requireApp(data: string, app: string): AppState {
  const appState = readState(data).apps[app];
  if (appState === undefined) {
    throw new SkiffError("ERR_SKIFF_NO_SUCH_APP", `no app called ${app} was deployed with data dir ${data}`, {
      hint: `see the apps with skiff status --data ${data}`,
    });
  }
  return appState;
}

/** The app's status from its instances: running when one runs, else what the first says. */
function liveStatus(rows: readonly InstanceRow[]): InstanceStatus | "none" {
  if (rows.length === 0) return "none";
  return rows.some((r) => r.status === "running") ? "running" : rows[0]!.status;
}

/** One row per app for `skiff status`: what runs, since when, and how the last deploy went. */
export async function readStatus(data: string): Promise<AppStatus[]> {
  const state = readState(data);
  return Promise.all(
    Object.entries(state.apps).map(async ([app, s]): Promise<AppStatus> => {
      const instances = await Promise.all(
        s.instances.map(async (i): Promise<InstanceRow> => ({
          id: i.id,
          release: i.release,
          driver: i.driver,
          ...(typeof i.handle.pid === "number" ? { pid: i.handle.pid } : {}),
          address: `${i.address.host}:${i.address.port}`,
          status: await inspectInstance(i),
          reason: i.reason,
          since: i.startedAt,
        })),
      );
      const first = instances[0];
      const live = liveStatus(instances);
      const lastError = currentError(s, live === "running" ? first?.release : undefined);
      const confirming = s.swap?.phase === "confirming" && live === "running" ? s.swap : undefined;
      return {
        app,
        ...(first
          ? {
              release: first.release,
              driver: first.driver,
              instance: first.id,
              ...(first.pid === undefined ? {} : { pid: first.pid }),
              address: first.address,
              since: first.since,
            }
          : {}),
        status:
          s.stopped && live !== "running"
            ? "stopped"
            : s.crashes?.loop && live !== "running"
              ? "crash-loop"
              : confirming
                ? "confirming"
                : live === "none" && s.asleep !== undefined
                  ? "asleep"
                  : live,
        instances,
        ...(confirming ? { confirming: { release: confirming.release, since: confirming.at } } : {}),
        ...(s.publicAddress === undefined ? {} : { publicAddress: s.publicAddress }),
        ...(s.frontUrl !== undefined
          ? { url: s.frontUrl }
          : s.publicAddress === undefined
            ? {}
            : { url: publicUrl(s.publicAddress) }),
        ...(s.asleep === undefined ? {} : { asleep: { release: s.asleep.release, since: s.asleep.at } }),
        ...(s.retry === undefined ? {} : { retry: s.retry }),
        ...(s.crashes?.loop
          ? { crashLoop: { release: s.crashes.release, restarts: s.crashes.count, at: s.crashes.loop.at } }
          : {}),
        ...(s.lastDeploy ? { lastDeploy: s.lastDeploy } : {}),
        ...(lastError ? { lastError } : {}),
        ...(s.refusal ? { lastRefusal: s.refusal } : {}),
        failed: s.failed.map((f) => f.release),
        ...(s.observedCurrent === undefined ? {} : { current: s.observedCurrent }),
      };
    }),
  );
}

/**
 * The error worth showing: the last deploy's, else the last failed release's; none once a newer
 * release than the one that failed serves (an old failure is history, not the state of the app).
 */
function currentError(s: AppState, serving: number | undefined): SerializedError | undefined {
  const failure =
    s.lastWake?.error !== undefined
      ? s.lastWake
      : s.lastDeploy?.error === undefined
        ? s.failed.at(-1)
        : { release: s.lastDeploy.release, error: s.lastDeploy.error };
  if (failure?.error === undefined) return undefined;
  return serving !== undefined && serving > failure.release ? undefined : failure.error;
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
 * restart it), then stops every instance it has (both sides of a swap in progress too). It stays
 * stopped until `current` changes or `skiff start`. `events`: the running agent's, when it stops
 * the app; `marked`: what was recorded when the agent marked it stopped (a swap given up since
 * no longer lists its old set). Returns the instances stopped.
 */
export async function stopApp(
  data: string,
  app: string,
  options: { events?: EventBus; marked?: readonly Instance[] } = {},
): Promise<Instance[]> {
  const recorded = await markStopped(data, app);
  const every = new Map([...(options.marked ?? []), ...recorded].map((i) => [i.id, i]));
  for (const instance of every.values()) {
    const timeout = loadLocalRelease(data, app, instance.release)?.manifest.deploy.stop_timeout ?? "10s";
    await getDriver(instance.driver).stop(instance, { graceMs: parseDuration(timeout) });
  }
  if (every.size > 0) {
    await updateAppState(data, app, (s) => {
      s.instances = s.instances.filter((i) => !every.has(i.id));
    });
  }
  // The public address closes too; skiff start and the next pass open it again (same address).
  await closeAppFront(data, app);
  const stopped = [...every.values()];
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
  const instance = requireApp(data, app).instances[0];
  const byRelease = options.release !== undefined && options.release !== instance?.release;
  if (!byRelease && instance !== undefined)
    return lastLines(getDriver(instance.driver).logs(instance), lines);
  const log = byRelease ? findInstanceLog(data, app, options.release!) : undefined;
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
