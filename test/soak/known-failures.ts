/**
 * Failures of the soak's invariants that are known skiff bugs, each with the item of issue 16 (or
 * the soak finding) that says what and where. A failing invariant whose every detail matches one of
 * these is reported as TODO with its evidence; one detail that matches none fails the test. Remove an
 * entry when its fix is merged: the test then fails if the bug comes back.
 */
import type { InvariantResult } from "../../bench/soak/types.js";

export interface KnownFailure {
  /** The invariant's name (InvariantResult.name), from its start. */
  invariant: string;
  /** A detail line of the failure this entry explains. */
  detail: RegExp;
  reason: string;
}

const FRONT_HEAL =
  "issue 16.3: a killed front door comes back only at the agent's next poll, with no event (a host heals itself)";
const INSTANCE_HEAL =
  "issue 16.3: a killed instance is restarted at the agent's next poll (1.5–4 s), not within 1 s; replaced by a deploy meanwhile, its death leaves no event";
const BUILD_LEFTOVERS =
  "issue 16.2: a killed build, push or server leaves its build folder, the compiler's and the store's temp files and git's quarantines (contained builds)";
const ORPHAN_ON_ENOSPC =
  "soak finding: a swap interrupted by a full disk (its state write, or its recovery after a killed agent, fails with ENOSPC) is resolved from a stale state.json once space is back, and the instance that really served is orphaned (docs/reliability.md, The fault soak)";

const FAILED_CURRENT =
  "soak finding: a server killed after storing a push's release and before its deploy failed leaves current naming the failed release (restoreCurrent in src/server/push-pipeline.ts never runs for it); hosts keep the release before, as they should";

export const KNOWN_FAILURES: KnownFailure[] = [
  {
    invariant: "every app's current names a stored release of a good version",
    detail: /: current names release \d+, a (unhealthy|crash) version$/,
    reason: FAILED_CURRENT,
  },
  {
    // Only where the host serves an older good version: a host that serves nothing is no known failure.
    invariant: "every app serves its current release on every host",
    detail: /: wants \S+-(unhealthy|crash) \(release \d+\), \S+ answered 200 \S+$/,
    reason: FAILED_CURRENT,
  },
  {
    invariant: "no request failed outside the fault windows",
    detail: /ms after fault \d+ kill-front(; [^\]]+)?\]$/,
    reason: FRONT_HEAL,
  },
  {
    invariant: "no request failed outside the fault windows",
    detail: /ms after fault \d+ kill-instance(; [^\]]+)?\]$/,
    reason: INSTANCE_HEAL,
  },
  {
    // The killed instance waits for the agent's next pass, and a killed server delays it until it is back.
    invariant: "no request failed outside the fault windows",
    detail: /ms after fault \d+ kill-server; fault \d+ kill-instance \d+ ms before it\]$/,
    reason: INSTANCE_HEAL,
  },
  { invariant: "every fault left an event", detail: / kill-front at .*: no event;/, reason: FRONT_HEAL },
  {
    invariant: "every fault left an event",
    detail: / kill-instance at .*: no event;/,
    reason: INSTANCE_HEAL,
  },
  {
    invariant: "no temp folder of the run is left",
    detail:
      /^(tmp\/skiff-(build|gzip)-\w+|tmp\/cc\w+(\.\w+)+|server\/(deploy|apps\/\w+)\.git\/objects\/tmp_objdir-(incoming|skiff)-\w+)$/,
    reason: BUILD_LEFTOVERS,
  },
  {
    invariant: "no process of the run is left",
    detail: /: \/\S+\/(follower|server\/agent)\/releases\/\w+\/\d+\/hello$/,
    reason: ORPHAN_ON_ENOSPC,
  },
];

export interface InvariantVerdict {
  ok: boolean;
  /** Every detail of a failure is known: the reasons, for a TODO. */
  todo?: string;
  /** The details no known failure explains. */
  unknown: string[];
  /** The details a known failure explains. */
  known: string[];
}

/** Whether an invariant held, failed only in known ways (todo), or failed in a way nobody reported. */
export function judgeInvariant(invariant: InvariantResult, known: readonly KnownFailure[]): InvariantVerdict {
  if (invariant.ok) return { ok: true, unknown: [], known: [] };
  const entries = known.filter((k) => invariant.name.startsWith(k.invariant));
  const reasons = new Set<string>();
  const unknown: string[] = [];
  const explained: string[] = [];
  for (const detail of invariant.details) {
    const entry = entries.find((k) => k.detail.test(detail));
    if (entry === undefined) unknown.push(detail);
    else {
      reasons.add(entry.reason);
      explained.push(detail);
    }
  }
  if (invariant.details.length === 0) return { ok: false, unknown: [invariant.summary], known: [] };
  if (unknown.length > 0) return { ok: false, unknown, known: explained };
  return { ok: false, todo: [...reasons].join("; "), unknown: [], known: explained };
}
