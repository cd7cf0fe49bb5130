import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PushPipelineResult } from "./push-pipeline.js";

/** The newest lines read back: the file only grows, a release page needs the recent ones. */
const READ_LINES = 10_000;

/**
 * DATA/pushes.jsonl: one line per push to main with its stage timings (bench/push-to-live reads it)
 * and who pushed: the name of the push's token, never the token.
 */
export function recordPush(data: string, app: string, user: string, result: PushPipelineResult): void {
  const line = { time: new Date().toISOString(), app, user, ...result };
  try {
    appendFileSync(join(data, "pushes.jsonl"), JSON.stringify(line) + "\n");
  } catch {
    // A record is a convenience; it never fails a push.
  }
}

/** Who pushed each release of `app` (token names), from DATA/pushes.jsonl; releases made otherwise are absent. */
export function readPushers(data: string, app: string): Map<number, string> {
  let text: string;
  try {
    text = readFileSync(join(data, "pushes.jsonl"), "utf8");
  } catch {
    return new Map();
  }
  const pushers = new Map<number, string>();
  for (const line of text.split("\n").slice(-READ_LINES)) {
    try {
      const record = JSON.parse(line) as { app?: unknown; user?: unknown; release?: unknown };
      if (record.app === app && typeof record.release === "number" && typeof record.user === "string")
        pushers.set(record.release, record.user);
    } catch {
      // A torn last line of a crash, or an empty one.
    }
  }
  return pushers;
}
