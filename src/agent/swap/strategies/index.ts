import { blueGreenStrategy } from "./blue-green.js";
import { recreateStrategy } from "./recreate.js";
import type { SwapStrategy } from "./types.js";

export type { SwapOps, SwapInput, SwapResult, SwapStrategy } from "./types.js";

/** Strategies by deploy.strategy; blue-green is the default. */
const STRATEGIES: Record<string, SwapStrategy> = {
  "blue-green": blueGreenStrategy,
  recreate: recreateStrategy,
};

export function getStrategy(name: string): SwapStrategy {
  return STRATEGIES[name] ?? blueGreenStrategy;
}

/** Adds or replaces a strategy. */
export function registerStrategy(strategy: SwapStrategy): void {
  STRATEGIES[strategy.name] = strategy;
}
