import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { EventSink, SkiffEvent } from "../events/index.js";
import type { Logger } from "../log/index.js";

/** Appends each event as a JSON line to a file; a write error is logged, never thrown. */
export function createFileSink(path: string, logger?: Logger): EventSink {
  return {
    emit(event: SkiffEvent): void {
      try {
        mkdirSync(dirname(path), { recursive: true });
        appendFileSync(path, JSON.stringify(event) + "\n");
      } catch (error) {
        logger?.warn({ notify: path, error: (error as Error).message }, "notification not written");
      }
    },
  };
}
