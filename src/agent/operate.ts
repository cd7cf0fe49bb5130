import { parseDuration } from "../config/index.js";
import { getDriver, type Instance, type InstanceStatus } from "../drivers/index.js";
import { SkiffError, type SerializedError } from "../errors/index.js";
import { EventLog } from "../events/index.js";
import { join } from "node:path";
import { readLogLines } from "../drivers/index.js";
import { findInstanceLog } from "./instance-logs.js";
import { inspectInstance } from "./read-actual.js";
import { stopAppProxy } from "./public-address.js";
import { loadLocalRelease } from "./release-files.js";
import { readState, updateAppState } from "./state.js";
import type { AppState, DeployResult } from "./state-schema.js";
import type { Refusal } from "./trust-state-schema.js";

export interface AppStatus {
  app: string;
  release?: number;
  driver?: string;
  instance?: string;
  pid?: number;
  address?: string;
  /** confirming: the instance serves, inside its confirmation window (the old one is kept until it ends). */
  status: InstanceStatus | "none" | "stopped" | "crash-loop" | "confirming";
  /** A deploy in its confirmation window: which release, since when. */
  confirming?: { release: number; since: string };
  /** The app's public address (the front proxy), "host:port", and as a URL. */
  publicAddress?: string;
  url?: string;
  /** Set once the instance crashed deploy.restart.limit times in a row and was left stopped. */
  crashLoop?: { release: number; restarts: number; at: string };
  since?: string;
  lastDeploy?: DeployResult;
  lastError?: SerializedError;
  /** The last release this host refused (signature, sequence, expiry, checksums …); active until one is accepted. */
  lastRefusal?: Refusal;
  failed: number[];
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

/** One row per app for `skiff status`: what runs, since when, and how the last deploy went. */
export async function readStatus(data: string): Promise<AppStatus[]> {
  const state = readState(data);
  return Promise.all(
    Object.entries(state.apps).map(async ([app, s]): Promise<AppStatus> => {
      const instance = s.instance;
      const live = instance ? await inspectInstance(instance) : "none";
      const lastError = currentError(s, live === "running" ? instance?.release : undefined);
      const confirming = s.swap?.phase === "confirming" && live === "running" ? s.swap : undefined;
      return {
        app,
        ...(instance
          ? {
              release: instance.release,
              driver: instance.driver,
              instance: instance.id,
              ...(typeof instance.handle.pid === "number" ? { pid: instance.handle.pid } : {}),
              address: `${instance.address.host}:${instance.address.port}`,
              since: instance.startedAt,
            }
          : {}),
        status:
          s.stopped && live !== "running"
            ? "stopped"
            : s.crashes?.loop && live !== "running"
              ? "crash-loop"
              : confirming
                ? "confirming"
                : live,
        ...(confirming ? { confirming: { release: confirming.release, since: confirming.at } } : {}),
        ...(s.publicAddress === undefined
          ? {}
          : { publicAddress: s.publicAddress, url: publicUrl(s.publicAddress) }),
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
    s.lastDeploy?.error === undefined
      ? s.failed.at(-1)
      : { release: s.lastDeploy.release, error: s.lastDeploy.error };
  if (failure?.error === undefined) return undefined;
  return serving !== undefined && serving > failure.release ? undefined : failure.error;
}

/**
 * `skiff stop`: marks the app stopped first (so a running agent that re-reads state does not
 * restart it), then stops its instance. It stays stopped until `current` changes or `skiff start`.
 */
export async function stopApp(data: string, app: string): Promise<Instance | undefined> {
  requireApp(data, app);
  const [instance, swapping] = await updateAppState(data, app, (s) => {
    s.stopped = { at: new Date().toISOString() };
    // Both sides of a swap in progress: the agent sees the stop at its next step and gives the swap up.
    return [s.instance, [s.swap?.old, s.swap?.next].filter((i): i is Instance => i !== undefined)] as const;
  });
  for (const other of swapping)
    if (other.id !== instance?.id) await getDriver(other.driver).stop(other, { graceMs: 2000 });
  if (instance !== undefined) {
    const timeout = loadLocalRelease(data, app, instance.release)?.manifest.deploy.stop_timeout ?? "10s";
    await getDriver(instance.driver).stop(instance, { graceMs: parseDuration(timeout) });
    await updateAppState(data, app, (s) => {
      if (s.instance?.id === instance.id) delete s.instance;
    });
  }
  // The public address closes too; skiff start and the next pass open it again (same address).
  await stopAppProxy(data, app);
  new EventLog(join(data, "events.jsonl")).emit({
    time: new Date().toISOString(),
    type: "app.stopped",
    app,
    message: instance ? `stopped ${instance.id} by hand` : "marked stopped by hand",
    ...(instance ? { release: instance.release, data: { instance: instance.id } } : {}),
  });
  return instance;
}

/** `skiff start`: lifts the stop; the agent starts what `current` names on its next pass. */
export async function startApp(data: string, app: string): Promise<void> {
  requireApp(data, app);
  await updateAppState(data, app, (s) => {
    delete s.stopped;
    delete s.crashes;
  });
}

/** The last `lines` lines of the app's instance log (the running one, or the last recorded); `release`: that release's last instance, stopped or not. */
export async function readLogs(
  data: string,
  app: string,
  lines: number,
  options: { release?: number } = {},
): Promise<string[]> {
  const instance = requireApp(data, app).instance;
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
