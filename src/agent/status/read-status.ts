import type { InstanceStatus } from "../../drivers/index.js";
import type { SerializedError } from "../../errors/index.js";
import {
  readState,
  type AppState,
  type DeployResult,
  type InstanceReason,
  type Refusal,
  type RetryRecord,
} from "../state/light.js";
import { inspectInstance } from "../../drivers/light.js";
import { isListening } from "./probe-address.js";

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
  /** unreachable: an instance runs, but its public address refused a connection just now (the front door is down). */
  status: InstanceStatus | "none" | "stopped" | "crash-loop" | "confirming" | "asleep" | "unreachable";
  /** Measured by this call: whether the public address accepted a connection (only for an app with a running instance). */
  reachable?: boolean;
  /** A deploy in its confirmation window: which release, since when. */
  confirming?: { release: number; since: string };
  /** Every instance of the app on this host (replicas). */
  instances: InstanceRow[];
  /** The app's public address (the front door), "host:port", and its URL: on the shared listener by hostname when it has one. */
  publicAddress?: string;
  url?: string;
  /** deploy.hostname, when the shared listener routes it here: `url` is then by this name. */
  hostname?: string;
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

/** "host:port" of an http://host:port URL (the shared listener's), or undefined. */
function frontAddress(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.port === "" ? undefined : `${parsed.hostname}:${parsed.port}`;
  } catch {
    return undefined;
  }
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
      // Measured, not read: does anything listen where users reach the app (its front door)?
      const reachAt = s.publicAddress ?? frontAddress(s.frontUrl);
      const reachable = live === "running" && reachAt !== undefined ? isListening(reachAt) : undefined;
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
              : reachable === false
                ? "unreachable"
                : confirming
                  ? "confirming"
                  : live === "none" && s.asleep !== undefined
                    ? "asleep"
                    : live,
        instances,
        ...(reachable === undefined ? {} : { reachable }),
        ...(confirming ? { confirming: { release: confirming.release, since: confirming.at } } : {}),
        ...(s.publicAddress === undefined ? {} : { publicAddress: s.publicAddress }),
        ...(s.frontUrl !== undefined
          ? { url: s.frontUrl, hostname: new URL(s.frontUrl).hostname }
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
