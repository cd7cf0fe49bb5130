export interface Candidate {
  state: "ready" | "draining" | "removed";
  /** Open connections plus connections being made to it. */
  load: number;
}

/**
 * Least connections among ready backends; ties go round robin by `turn` (a counter the caller
 * increments per pick), so a burst released at once spreads over equally idle replicas. Pure.
 */
export function pickBackend<T extends Candidate>(candidates: Iterable<T>, turn: number): T | undefined {
  let least = Number.POSITIVE_INFINITY;
  let ties: T[] = [];
  for (const candidate of candidates) {
    if (candidate.state !== "ready") continue;
    if (candidate.load < least) {
      least = candidate.load;
      ties = [candidate];
    } else if (candidate.load === least) ties.push(candidate);
  }
  return ties.length === 0 ? undefined : ties[turn % ties.length];
}
