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

// Empty: the last entries (issue 16.2's build leftovers, 16.3's front door and instance healing)
// were removed with their fixes (December 2026). Add one only with the issue item that explains it.
export const KNOWN_FAILURES: KnownFailure[] = [];

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
