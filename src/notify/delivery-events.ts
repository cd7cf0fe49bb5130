import type { ErrorCode } from "../errors/index.js";
import type { EventInput, SkiffEvent } from "../events/index.js";

/** One delivery's end, as the notify.delivered or notify.failed event says it. */
export interface DeliveryEnd {
  event: SkiffEvent;
  id: string;
  /** The target as logs may show it. */
  sink: string;
  attempts: number;
  durationMs: number;
}

/** The notified event's app, release and deploy, so a result is found beside what it reports. */
function about(event: SkiffEvent): Pick<EventInput, "app" | "release" | "deploy"> {
  return {
    ...(event.app === undefined ? {} : { app: event.app }),
    ...(event.release === undefined ? {} : { release: event.release }),
    ...(event.deploy === undefined ? {} : { deploy: event.deploy }),
  };
}

function common(end: DeliveryEnd): Record<string, unknown> {
  return {
    sink: end.sink,
    event: end.event.type,
    id: end.id,
    attempts: end.attempts,
    durationMs: end.durationMs,
  };
}

export function deliveredEvent(end: DeliveryEnd & { status: number | undefined }): EventInput {
  return {
    type: "notify.delivered",
    ...about(end.event),
    message: `${end.event.type} delivered to ${end.sink} (attempt ${end.attempts})`,
    data: { ...common(end), status: end.status },
  };
}

/** `outcome`: "status 500", "timeout" …; `reason`: refused (a 4xx, not retried) or gave up (the window passed). */
export function failedEvent(
  end: DeliveryEnd & { outcome: string; reason: "refused" | "gave up" },
): EventInput {
  const refused = end.reason === "refused";
  const message = `${end.event.type} not delivered to ${end.sink} after ${end.attempts} attempt(s): ${end.outcome}${refused ? " (not retried)" : ""}`;
  return {
    type: "notify.failed",
    ...about(end.event),
    message,
    error: {
      code: "ERR_SKIFF_NOTIFY_UNDELIVERED" satisfies ErrorCode,
      message,
      hint: refused
        ? "the receiver refused it: check the --notify URL and what the receiver expects"
        : "the receiver was down or too slow; the event stays in events.jsonl",
    },
    data: { ...common(end), outcome: end.outcome, reason: end.reason },
  };
}

export function droppedEvent(input: { sink: string; count: number; reason: string }): EventInput {
  return {
    type: "notify.dropped",
    message: `${input.count} notification(s) to ${input.sink} dropped: ${input.reason}`,
    data: { sink: input.sink, count: input.count, reason: input.reason },
  };
}
