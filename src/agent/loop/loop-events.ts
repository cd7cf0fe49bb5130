import { join } from "node:path";
import { EventBus, EventLog, type EventSink } from "../../events/index.js";
import type { Logger } from "../../log/index.js";
import { createNotifySinks } from "../../notify/index.js";
import { createRedactingSink, type BootSecrets } from "../secrets/index.js";
import { createLoggerSink } from "./event-logger-sink.js";

/** The loop's events: the data dir's event log, the JSON logs, --notify targets and the caller's sinks. */
export function createLoopEvents(options: {
  data: string;
  host: string;
  logger: Logger;
  notify?: readonly string[];
  notifyTimeoutMs?: number;
  /** How long a failed notification is retried (default 5 minutes). */
  notifyRetryMs?: number;
  /** Signs webhook notifications (`--notify-secret-file`, $SKIFF_NOTIFY_SECRET); never logged. */
  notifySecret?: string;
  sinks?: readonly EventSink[];
  secrets: BootSecrets;
}): EventBus {
  const events = new EventBus({ host: options.host });
  const sinks: EventSink[] = [
    new EventLog(join(options.data, "events.jsonl")),
    createLoggerSink(options.logger),
    ...createNotifySinks([...(options.notify ?? [])], {
      logger: options.logger,
      ...(options.notifyTimeoutMs ? { timeoutMs: options.notifyTimeoutMs } : {}),
      ...(options.notifyRetryMs === undefined ? {} : { retry: { retryForMs: options.notifyRetryMs } }),
      ...(options.notifySecret === undefined ? {} : { secret: options.notifySecret }),
      // notify.delivered / failed / dropped: on this bus, for events.jsonl, logs, the API and metrics.
      report: (event) => events.emit(event),
    }),
    ...(options.sinks ?? []),
  ];
  // Every sink sees events with opened secrets replaced by [hidden].
  for (const sink of sinks) events.add(createRedactingSink(sink, options.secrets));
  return events;
}
