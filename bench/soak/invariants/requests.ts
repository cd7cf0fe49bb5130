import type { FixtureApp } from "../fixture-app.js";
import type { InvariantResult, RequestSample } from "../types.js";
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

function describe(sample: RequestSample): string {
  const at = new Date(sample.start).toISOString();
  const what = sample.error ?? `${sample.status ?? "?"} ${sample.version ?? "(no version in the page)"}`;
  return `${at} ${sample.app} on ${sample.host} (${sample.end - sample.start} ms): ${what}`;
}

/** Every failed request is inside a fault's window; no request was answered by a broken version. */
export function checkRequests(
  samples: readonly RequestSample[],
  windows: readonly Window[],
  apps: FixtureApp[],
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
      outside.push(`${describe(sample)} — a version that failed its checks took traffic`);
    } else if (window !== undefined) counts.insideWindows += 1;
    else {
      counts.outsideWindows += 1;
      outside.push(describe(sample));
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
