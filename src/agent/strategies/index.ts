import { recreateStrategy } from "./recreate.js";
import type { SwapStrategy } from "./types.js";

export type { SwapOps, SwapInput, SwapResult, SwapStrategy } from "./types.js";

/** Strategies by deploy.strategy; blue-green falls back to recreate until it is implemented. */
const STRATEGIES: Record<string, SwapStrategy> = {
  recreate: recreateStrategy,
};

export function getStrategy(name: string): SwapStrategy {
  return STRATEGIES[name] ?? recreateStrategy;
}

/** Adds or replaces a strategy (blue-green registers itself here). */
export function registerStrategy(strategy: SwapStrategy): void {
  STRATEGIES[strategy.name] = strategy;
}
