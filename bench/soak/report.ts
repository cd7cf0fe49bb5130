import type { SoakResult } from "./run-soak.js";
import { FAULT_KINDS } from "./types.js";

/** The summary a person reads: what was done, each invariant on one line with PASS or FAIL. */
export function formatReport(result: SoakResult): string {
  const lines: string[] = [];
  lines.push(
    `skiff soak: seed ${result.seed}, ${result.minutes} min, apps ${result.apps.join(", ")} on hosts ${result.hosts.join(", ")}`,
  );
  lines.push(`  rollbacks through ${result.api ? "the API" : "skiff rollback --repo"}; disk: ${result.disk}`);
  lines.push(`  supervision: ${result.supervision}`);
  lines.push(
    result.wake.honoured
      ? `  wakes: ${result.wake.app ?? "?"} is left idle and woken by a request (deploy.scale.min: 0)`
      : `  wakes: skipped — ${result.wake.reason}`,
  );
  const injected = FAULT_KINDS.map((kind) => {
    const of = result.faults.filter((f) => f.kind === kind);
    const skipped = of.filter((f) => f.skipped !== undefined).length;
    return `${kind} ${of.length - skipped}${skipped > 0 ? ` (+${skipped} skipped)` : ""}`;
  });
  lines.push(
    `faults injected: ${result.faults.filter((f) => f.skipped === undefined).length} — ${injected.join(", ")}`,
  );
  const kinds = Object.entries(result.changes.byKind).map(
    ([kind, c]) => `${kind} ${c.ok} ok / ${c.failed} failed`,
  );
  lines.push(
    `changes: ${result.changes.total} — ${kinds.join(", ")}; ${result.changes.explained} failures explained by a fault`,
  );
  const r = result.requests;
  lines.push(
    `requests: ${r.sent} sent, ${r.failed} failed — ${r.insideWindows} inside fault windows, ${r.outsideWindows} outside, ${r.brokenVersion} answered by a broken version`,
  );
  const t = result.timings;
  lines.push(
    `time: setup ${(t.setupMs / 1000).toFixed(0)}s, run ${(t.runMs / 1000).toFixed(0)}s, checks and stop ${(t.checkMs / 1000).toFixed(0)}s`,
  );
  lines.push(
    `windows: kill-instance / kill-front explain requests in flight at the kill or started up to ${result.windows.restoreMs} + ${result.windows.slackMs} ms after it`,
  );
  lines.push(
    `invariants (${result.invariants.filter((i) => i.ok).length} of ${result.invariants.length} held):`,
  );
  for (const invariant of result.invariants) {
    lines.push(`${invariant.ok ? "PASS" : "FAIL"} ${invariant.name}: ${invariant.summary}`);
    for (const detail of invariant.details) lines.push(`       - ${detail}`);
  }
  for (const note of result.notes) lines.push(`note: ${note}`);
  lines.push(`replay: npm run soak -- --minutes ${result.minutes} --seed ${result.seed}`);
  lines.push(result.ok ? "soak: every invariant held" : "soak: FAILED");
  return lines.join("\n") + "\n";
}
