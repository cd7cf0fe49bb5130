import type { Instance } from "../drivers/types.js";
import type { SwapPhase } from "./state-schema.js";

export interface SwapRecoveryInput {
  phase: SwapPhase;
  old?: Instance;
  next?: Instance;
  oldRunning: boolean;
  nextRunning: boolean;
}

export interface SwapRecoveryPlan {
  /** The one instance that serves after recovery (the proxy points at it), or undefined. */
  serve?: Instance;
  /** What state records as the app's instance: serve, or the old record when nothing runs (the plan restarts it). */
  record?: Instance;
  stop: Instance[];
  /** Which side won and why, for the event. */
  outcome: "kept old" | "kept new" | "none running";
}

/**
 * What a restarted agent does with a swap that a dead agent left half done (docs/deploys.md,
 * recovery table). Pure. Until the new instance is confirmed (phase draining) the old one is
 * preferred, because only it has proven itself; from draining on, the new one is.
 */
export function planSwapRecovery(input: SwapRecoveryInput): SwapRecoveryPlan {
  const { phase, old, next } = input;
  const oldAlive = old !== undefined && input.oldRunning;
  const nextAlive = next !== undefined && input.nextRunning;
  // It passed its health check (and served) when the phase says switched or later.
  const nextChecked = phase === "switched" || phase === "confirming" || phase === "draining";
  const preferNext = phase === "draining";
  const keepNext = nextAlive && nextChecked && (preferNext || !oldAlive);
  // Whatever is not kept is stopped, alive or not: stopping a gone instance is a no-op, a stray one is worse.
  if (keepNext)
    return { serve: next, record: next, stop: old === undefined ? [] : [old], outcome: "kept new" };
  const stop = next === undefined ? [] : [next];
  if (oldAlive) return { serve: old, record: old, stop, outcome: "kept old" };
  return { ...(old === undefined ? {} : { record: old }), stop, outcome: "none running" };
}
