import type { EventSink, SkiffEvent } from "../events/index.js";
import type { Logger } from "../log/index.js";
import { createFileSink } from "./file-sink.js";
import { createHttpSink } from "./http-sink.js";
import { describeNotifyTarget, parseNotifyTarget } from "./targets.js";

export { parseNotifyTarget, describeNotifyTarget, type NotifyTarget } from "./targets.js";
export { formatSlackMessage } from "./slack.js";

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

export interface NotifyOptions {
  /** Per delivery (default 5000 ms). */
  timeoutMs?: number;
  logger?: Logger;
  /** Which event types to send (default NOTIFY_EVENT_TYPES). */
  types?: readonly string[];
}

/** One sink per `--notify` target; throws ERR_SKIFF_USAGE for a target it cannot parse. */
export function createNotifySinks(specs: readonly string[], options: NotifyOptions = {}): EventSink[] {
  const types = new Set(options.types ?? NOTIFY_EVENT_TYPES);
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
            ...(options.logger ? { logger: options.logger } : {}),
          });
    return filterSink(sink, (event) => types.has(event.type));
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
