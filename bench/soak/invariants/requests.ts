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

function describe(sample: RequestSample, faults: readonly FaultRecord[]): string {
  const at = new Date(sample.start).toISOString();
  const what = sample.error ?? `${sample.status ?? "?"} ${sample.version ?? "(no version in the page)"}`;
  const near = lastFaultBefore(sample, faults);
  const after =
    near === undefined ? "" : ` [${sample.start - near.at} ms after fault ${near.id} ${near.kind}]`;
  return `${at} ${sample.app} on ${sample.host} (${sample.end - sample.start} ms): ${what}${after}`;
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
  const outside: string[] = [];
  const failed: FailedRequest[] = [];
  for (const sample of samples) {
    const verdict = judgeRequest(sample, broken);
    if (verdict === "ok") continue;
    counts.failed += 1;
    const window = verdict === "failed" ? explainRequest(sample, windows) : undefined;
    failed.push({ ...sample, faultId: window?.faultId ?? null });
    if (verdict === "broken-version") {
      counts.brokenVersion += 1;
      outside.push(`${describe(sample, faults)} — a version that failed its checks took traffic`);
    } else if (window !== undefined) counts.insideWindows += 1;
    else {
      counts.outsideWindows += 1;
      outside.push(describe(sample, faults));
    }
  }
  return {
    counts,
    failed,
    result: {
      name: "no request failed outside the fault windows",
      ok: outside.length === 0,
      summary: `${counts.sent} sent, ${counts.failed} failed: ${counts.insideWindows} inside windows, ${counts.outsideWindows} outside, ${counts.brokenVersion} answered by a broken version`,
      // The first ones say enough; the JSON output has the counts.
      details: outside.length > 20 ? [...outside.slice(0, 20), `… and ${outside.length - 20} more`] : outside,
    },
  };
}
