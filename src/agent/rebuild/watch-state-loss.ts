import { existsSync } from "node:fs";
import type { EventBus } from "../../events/index.js";
import { historyPath, onStateLost, statePath, updateState } from "../state/index.js";
import { rebuildState } from "./rebuild-state.js";

export interface StateLossWatch {
  /** Before a pass: a state.json that existed and is gone now is rebuilt (under the state lock) before anything plans from it. */
  check(): Promise<void>;
  unwatch(): void;
}

/**
 * A running agent's answer to its state.json deleted under it: the next state write or pass
 * rebuilds it from the instances' records (those that still run), the front door's saved state
 * and history.json, as a start does (state.rebuilt, data.during "run"), so nothing is deployed
 * again beside what runs and the public addresses stay.
 */
export function watchStateLoss(data: string, events: EventBus): StateLossWatch {
  // Lost, not never written (a new host's front door may be set up before its first state write):
  // a pass saw it, or history.json (written with every state.json) is there.
  let seen = existsSync(statePath(data));
  const lost = (): boolean => !existsSync(statePath(data)) && (seen || existsSync(historyPath(data)));
  const unwatch = onStateLost(data, async () => {
    if (lost()) await rebuildState({ data, events, during: "run" });
  });
  return {
    check: async () => {
      if (existsSync(statePath(data))) seen = true;
      else if (lost()) await updateState(data, () => undefined);
    },
    unwatch,
  };
}
