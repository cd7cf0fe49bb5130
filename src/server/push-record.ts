import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { PushPipelineResult } from "./push-pipeline.js";

/** DATA/pushes.jsonl: one line per push to main with its stage timings (bench/push-to-live reads it). */
export function recordPush(data: string, app: string, result: PushPipelineResult): void {
  const line = { time: new Date().toISOString(), app, ...result };
  try {
    appendFileSync(join(data, "pushes.jsonl"), JSON.stringify(line) + "\n");
  } catch {
    // A record is a convenience; it never fails a push.
  }
}
