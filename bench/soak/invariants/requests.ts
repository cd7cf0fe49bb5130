import type { FixtureApp } from "../fixture-app.js";
import type { FaultRecord, InvariantResult, RequestSample } from "../types.js";
import { explainRequest, judgeRequest, type Window } from "../windows.js";

/** A failed request and the fault whose window explains it (null: none). */
export interface FailedRequest extends RequestSample {
  faultId: number | null;
}

export interface RequestCounts {
  sent: number;
  failed: number;
  insideWindows: number;
  outsideWindows: number;
  brokenVersion: number;
}

/** A failure this long after a fault on its host is told with that fault (evidence, not an excuse). */
const NEAR_MS = 60_000;
/** A fault this soon after another on the same host and app is told together with it. */
const CHAIN_MS = 5000;

/** The last injected fault on the request's host, for its app, before the request started. */
function lastFaultBefore(sample: RequestSample, faults: readonly FaultRecord[]): FaultRecord | undefined {
  return faults
    .filter(
      (f) =>
        f.skipped === undefined &&
        f.host === sample.host &&
        (f.apps === undefined || f.apps.includes(sample.app)) &&
        f.at <= sample.start &&
        sample.start - f.at <= NEAR_MS,
    )
    .at(-1);
}

/** What a failed request got, with addresses left out so that failures of one kind group together. */
function whatFailed(sample: RequestSample): string {
  const what = sample.error ?? `${sample.status ?? "?"} ${sample.version ?? "(no version in the page)"}`;
  return what.replace(/\d+\.\d+\.\d+\.\d+:\d+/g, "ADDR");
}

/** Failures outside every window, grouped by app, host, what they got and the fault before them. */
/** A fault on the same host and app shortly before `fault`, whose outage `fault` may have prolonged. */
function faultJustBefore(
  fault: FaultRecord,
  sample: RequestSample,
  faults: readonly FaultRecord[],
): FaultRecord | undefined {
  const earlier = faults.filter((f) => f.id < fault.id && fault.at - f.at <= CHAIN_MS);
  return lastFaultBefore({ ...sample, start: fault.at }, earlier);
}

function describeGroups(outside: readonly RequestSample[], faults: readonly FaultRecord[]): string[] {
  const groups = new Map<string, { samples: RequestSample[]; near: FaultRecord | undefined }>();
  for (const sample of outside) {
    const near = lastFaultBefore(sample, faults);
    const key = `${sample.app} on ${sample.host}: ${whatFailed(sample)}|${near?.id ?? "-"}`;
    const group = groups.get(key) ?? { samples: [], near };
    group.samples.push(sample);
    groups.set(key, group);
  }
  return [...groups].map(([key, { samples, near }]) => {
    const first = samples[0]!.start;
    const last = samples.at(-1)!.start;
    const when = `${new Date(first).toISOString()} … +${last - first} ms`;
    const before = near === undefined ? undefined : faultJustBefore(near, samples[0]!, faults);
    const chained =
      before === undefined ? "" : `; fault ${before.id} ${before.kind} ${near!.at - before.at} ms before it`;
    const after =
      near === undefined
        ? "no fault on that host in the minute before"
        : `${first - near.at}–${last - near.at} ms after fault ${near.id} ${near.kind}${chained}`;
    return `${samples.length} × ${key.split("|")[0]!} (${when}) [${after}]`;
  });
}

/** Every failed request is inside a fault's window; no request was answered by a broken version. */
export function checkRequests(
  samples: readonly RequestSample[],
  windows: readonly Window[],
  apps: FixtureApp[],
  faults: readonly FaultRecord[],
): { result: InvariantResult; counts: RequestCounts; failed: FailedRequest[] } {
  const broken = new Set(
    apps.flatMap((app) => [...app.commits.values()].filter((c) => c.kind !== "good").map((c) => c.label)),
  );
  const counts: RequestCounts = {
    sent: samples.length,
    failed: 0,
    insideWindows: 0,
    outsideWindows: 0,
    brokenVersion: 0,
  };
  const outside: RequestSample[] = [];
  const brokenSeen: RequestSample[] = [];
  const failed: FailedRequest[] = [];
  for (const sample of samples) {
    const verdict = judgeRequest(sample, broken);
    if (verdict === "ok") continue;
    counts.failed += 1;
    const window = verdict === "failed" ? explainRequest(sample, windows) : undefined;
    failed.push({ ...sample, faultId: window?.faultId ?? null });
    if (verdict === "broken-version") {
      counts.brokenVersion += 1;
      brokenSeen.push(sample);
    } else if (window !== undefined) counts.insideWindows += 1;
    else {
      counts.outsideWindows += 1;
      outside.push(sample);
    }
  }
  return {
    counts,
    failed,
    result: {
      name: "no request failed outside the fault windows",
      ok: outside.length === 0 && brokenSeen.length === 0,
      summary: `${counts.sent} sent, ${counts.failed} failed: ${counts.insideWindows} inside windows, ${counts.outsideWindows} outside, ${counts.brokenVersion} answered by a broken version`,
      details: [
        ...describeGroups(brokenSeen, faults).map(
          (d) => `${d} — a version that failed its checks took traffic`,
        ),
        ...describeGroups(outside, faults),
      ],
    },
  };
}
