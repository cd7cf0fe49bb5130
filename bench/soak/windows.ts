/**
 * The windows in which a fault explains a failure (pure). A request or change that failed outside
 * every window is a finding.
 */
import type { ChangeRecord, FaultRecord, RequestSample } from "./types.js";

/** Issue 16.3: a killed front door or a vanished instance is restored within 1 s. */
export const RESTORE_MS = 1000;
/** The harness's own scheduling on a loaded machine (timers, the kill, the first connect). */
export const SLACK_MS = 500;
/** A restarted server that never answered again explains failures for this long at most. */
const SERVER_DOWN_CAP_MS = 60_000;

export interface Window {
  faultId: number;
  kind: FaultRecord["kind"];
  host: string;
  apps: string[] | "all";
  /** The fault's moment: whatever was in flight then is explained. */
  from: number;
  /** Whatever started after `from` and up to `to` is explained too. */
  to: number;
}

/**
 * Windows for the HTTP load. kill-instance: requests to that app on that host. kill-front: requests
 * to the apps the killed process served on that host. Each explains what was in flight at the kill
 * and what started up to RESTORE_MS + SLACK_MS after it. No other fault explains a failed request:
 * killing the server, an agent or a build, and a full disk, must not interrupt serving.
 */
export function trafficWindows(faults: readonly FaultRecord[]): Window[] {
  return faults
    .filter((f) => f.skipped === undefined && (f.kind === "kill-instance" || f.kind === "kill-front"))
    .map((f) => ({
      faultId: f.id,
      kind: f.kind,
      host: f.host ?? "?",
      apps: f.apps ?? "all",
      from: f.at,
      to: f.at + RESTORE_MS + SLACK_MS,
    }));
}

/**
 * Windows for pushes and rollbacks. kill-server: every change in flight at the kill or started
 * before the restarted server answered (+ SLACK_MS). kill-build: the change of the app whose build
 * was killed, in flight at the kill. kill-instance and kill-front on the server's host: the change
 * of that app in flight at the kill (its deploy waits on that host).
 */
export function changeWindows(faults: readonly FaultRecord[]): Window[] {
  const windows: Window[] = [];
  for (const f of faults) {
    if (f.skipped !== undefined) continue;
    const base = { faultId: f.id, kind: f.kind, host: f.host ?? "?", from: f.at };
    if (f.kind === "kill-server") {
      windows.push({ ...base, apps: "all", to: (f.recoveredAt ?? f.at + SERVER_DOWN_CAP_MS) + SLACK_MS });
    } else if (
      f.kind === "kill-build" ||
      ((f.kind === "kill-instance" || f.kind === "kill-front") && f.host === "server")
    ) {
      windows.push({ ...base, apps: f.apps ?? "all", to: f.at });
    }
  }
  return windows;
}

function covers(window: Window, app: string, start: number, end: number): boolean {
  if (window.apps !== "all" && !window.apps.includes(app)) return false;
  const inFlight = start <= window.from && end >= window.from;
  const startedInside = start > window.from && start <= window.to;
  return inFlight || startedInside;
}

/** The window that explains a failed request, if any. */
export function explainRequest(sample: RequestSample, windows: readonly Window[]): Window | undefined {
  return windows.find((w) => w.host === sample.host && covers(w, sample.app, sample.start, sample.end));
}

/** The window that explains a failed push or rollback, if any (changes are made on the server). */
export function explainChange(change: ChangeRecord, windows: readonly Window[]): Window | undefined {
  return windows.find((w) => covers(w, change.app, change.start, change.end));
}

export type RequestVerdict = "ok" | "failed" | "broken-version";

/**
 * Whether a request succeeded: 200 and a page naming a version of the app. A page of a version that
 * failed its checks (`broken`) is a failure no fault explains: such a release must never take traffic.
 */
export function judgeRequest(sample: RequestSample, broken: ReadonlySet<string>): RequestVerdict {
  if (sample.error !== undefined || sample.status !== 200 || sample.version === undefined) return "failed";
  if (broken.has(sample.version)) return "broken-version";
  return sample.version.startsWith(`${sample.app}-`) ? "ok" : "failed";
}
