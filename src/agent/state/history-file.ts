import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { HistorySchema, historyOf, type History } from "./history.js";
import type { AgentState } from "./state-schema.js";
import { writeFileDurably } from "./write-durably.js";

export function historyPath(data: string): string {
  return join(data, "history.json");
}

/** The data dir's history, or undefined when there is none or it cannot be read (the caller says so). */
export function readHistory(data: string): History | undefined {
  try {
    const parsed = HistorySchema.safeParse(JSON.parse(readFileSync(historyPath(data), "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes history.json for `state` when it differs from what is there (most state writes change none of it). */
export function writeHistory(data: string, state: AgentState): void {
  const path = historyPath(data);
  const text = JSON.stringify(historyOf(state), null, 2) + "\n";
  if (existsSync(path) && readFileSync(path, "utf8") === text) return;
  writeFileDurably(path, text, "writing the agent's history");
}
