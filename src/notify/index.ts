import type { EventInput, EventSink, SkiffEvent } from "../events/index.js";
import type { Logger } from "../log/index.js";
import { matchEventTypes } from "./event-filter.js";
import { createFileSink } from "./file-sink.js";
import { createHttpSink } from "./http-sink.js";
import type { RetryPolicy } from "./plan-retry.js";
import { describeNotifyTarget, parseNotifyTarget } from "./targets.js";

export { parseNotifyTarget, describeNotifyTarget, type NotifyTarget } from "./targets.js";
export { formatSlackMessage, type SlackMessage } from "./slack.js";
export { signWebhook } from "./sign-webhook.js";
export { planRetry, DEFAULT_RETRY_POLICY, type RetryPolicy, type PostOutcome } from "./plan-retry.js";
export { loadNotifySecret, NOTIFY_SECRET_ENV } from "./notify-secret.js";

/** The events a notification is sent for: each deploy ends with exactly one of them. */
export const NOTIFY_EVENT_TYPES: readonly string[] = [
  "deploy.succeeded",
  "deploy.failed",
  "release.refused",
  // A release for a driver this host cannot run (nothing was stopped).
  "release.unsupported",
  // A crashed instance that reached deploy.restart.limit and was left stopped.
  "instance.crash_loop",
  // A release failed on one host of a fleet and no other host will try it (src/fleet).
  "rollout.halted",
  // A staging agent's verdicts (src/stage).
  "stage.passed",
  "stage.failed",
];

/**
 * What happened to each notification, reported through NotifyOptions.report (the agent emits them
 * on its event bus, so they reach events.jsonl, the logs, the API's feed and metrics):
 * notify.delivered (data: sink, event, id, attempts, status, durationMs), notify.failed (… outcome,
 * reason "refused" | "gave up"), notify.dropped (data: sink, count, reason).
 */
export const NOTIFY_RESULT_TYPES = ["notify.delivered", "notify.failed", "notify.dropped"] as const;

export interface NotifyOptions {
  /** Per delivery attempt (default 5000 ms). */
  timeoutMs?: number;
  /** How long and how often a failed delivery is retried (default: for 5 minutes, from 1 s doubling to 60 s). */
  retry?: Partial<RetryPolicy>;
  /** Signs webhook POSTs with HMAC-SHA256 (`Skiff-Signature`); never logged. */
  secret?: string;
  logger?: Logger;
  /** Which event types to send when a target names none (default NOTIFY_EVENT_TYPES). */
  types?: readonly string[];
  /** Delivery results (NOTIFY_RESULT_TYPES), e.g. `(event) => bus.emit(event)`. */
  report?: (event: EventInput) => void;
}

/** One sink per `--notify` target; throws ERR_SKIFF_USAGE for a target it cannot parse. */
export function createNotifySinks(specs: readonly string[], options: NotifyOptions = {}): EventSink[] {
  return specs.map((spec) => {
    const target = parseNotifyTarget(spec);
    const sink =
      target.kind === "file"
        ? createFileSink(target.path, options.logger)
        : createHttpSink({
            url: target.url,
            format: target.kind === "slack" ? "slack" : "json",
            timeoutMs: options.timeoutMs ?? 5000,
            label: describeNotifyTarget(spec),
            ...(options.retry ? { retry: options.retry } : {}),
            ...(options.secret === undefined ? {} : { secret: options.secret }),
            ...(options.logger ? { logger: options.logger } : {}),
            ...(options.report ? { report: options.report } : {}),
          });
    return filterSink(sink, matchEventTypes(target.events ?? options.types ?? NOTIFY_EVENT_TYPES));
  });
}

function filterSink(sink: EventSink, accept: (event: SkiffEvent) => boolean): EventSink {
  return {
    emit: (event) => {
      if (accept(event)) sink.emit(event);
    },
    ...(sink.close ? { close: () => sink.close!() } : {}),
  };
}
