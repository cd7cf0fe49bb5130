import { join } from "node:path";
import { EventBus, EventLog, type EventSink } from "../events/index.js";
import type { Logger } from "../log/index.js";

/** The server's own events (pushes, the build sandbox): DATA/events.jsonl and the JSON log. */
export function createServerEvents(data: string, logger: Logger): EventBus {
  const log: EventSink = {
    emit: (event) => {
      const fields = { event: event.type, app: event.app, release: event.release, data: event.data };
      if (event.error) logger.warn({ ...fields, error: event.error }, event.message);
      else logger.info(fields, event.message);
    },
  };
  return new EventBus({ host: "server" }).add(new EventLog(join(data, "events.jsonl"))).add(log);
}
