import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { EventSink, SkiffEvent } from "./types.js";

/** Append-only JSON-lines event log in the data dir; one line per event. */
export class EventLog implements EventSink {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  emit(event: SkiffEvent): void {
    appendFileSync(this.path, JSON.stringify(event) + "\n");
  }

  /** Events in the order they were written, optionally only the last `limit` for one app. */
  read(filter: { app?: string; limit?: number } = {}): SkiffEvent[] {
    return readEventLog(this.path, filter);
  }
}

export function readEventLog(path: string, filter: { app?: string; limit?: number } = {}): SkiffEvent[] {
  if (!existsSync(path)) return [];
  const events = readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.length > 0)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as SkiffEvent];
      } catch {
        return []; // a line torn by a crash mid-write is skipped, not fatal
      }
    })
    .filter((event) => filter.app === undefined || event.app === filter.app);
  return filter.limit === undefined ? events : events.slice(-filter.limit);
}
