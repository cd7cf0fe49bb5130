import type { Instance } from "../../drivers/index.js";
import type { SwapPhase } from "../state/index.js";

export interface SwapRecoveryInput {
  phase: SwapPhase;
  /** The instances that served before the swap, and those started to replace them. */
  old: readonly Instance[];
  next: readonly Instance[];
  /** Whether an instance still runs (asked of its driver before the plan is made). */
  running: (instance: Instance) => boolean;
}

export interface SwapRecoveryPlan {
  /** The instances that serve after recovery (the front door points at them); empty when none runs. */
  serve: Instance[];
  /** What state records as the app's instances: serve, or the old records when nothing runs (the plan restarts them). */
  record: Instance[];
  stop: Instance[];
  /** Which side won and why, for the event. */
  outcome: "kept old" | "kept new" | "none running";
}

/**
 * What a restarted agent does with a swap that a dead agent left half done (docs/deploys.md,
 * recovery table). Pure. Until the new set is confirmed (phase draining) the old one is preferred,
 * because only it has proven itself; from draining on, the new one is.
 */
export function planSwapRecovery(input: SwapRecoveryInput): SwapRecoveryPlan {
  const { phase, old, next } = input;
  const oldAlive = old.filter(input.running);
  const nextAlive = next.filter(input.running);
  // It passed its health check (and served) when the phase says switched or later.
  const nextChecked = phase === "switched" || phase === "confirming" || phase === "draining";
  const preferNext = phase === "draining";
  const keepNext = nextAlive.length > 0 && nextChecked && (preferNext || oldAlive.length === 0);
  // Whatever is not kept is stopped, alive or not: stopping a gone instance is a no-op, a stray one is worse.
  if (keepNext) {
    const stop = [...old, ...next.filter((i) => !nextAlive.includes(i))];
    return { serve: nextAlive, record: nextAlive, stop, outcome: "kept new" };
  }
  if (oldAlive.length > 0) {
    const stop = [...next, ...old.filter((i) => !oldAlive.includes(i))];
    return { serve: oldAlive, record: oldAlive, stop, outcome: "kept old" };
  }
  return { serve: [], record: [...old], stop: [...next], outcome: "none running" };
}
