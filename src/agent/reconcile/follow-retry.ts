import type { EventBus } from "../../events/index.js";
import { classifyFailure } from "../plan/index.js";
import { readState } from "../state/index.js";
import type { ActionOutcome } from "../swap/index.js";
import type { RetryTimers } from "../worker/index.js";

/**
 * After an app's task: a release that just failed for a host reason is reported as
 * deploy.retry_scheduled (its code, attempt, delay and due time); while its retry is pending the
 * app's timer asks for it when due (`again`); without timers (--once) the next agent run does.
 */
export function followRetry(options: {
  data: string;
  app: string;
  events: EventBus;
  outcome: ActionOutcome | undefined;
  timers?: RetryTimers;
  again: () => void;
}): void {
  const { app, outcome, timers } = options;
  const retry = readState(options.data).apps[app]?.retry;
  if (retry === undefined) {
    timers?.clear(app);
    return;
  }
  const failedNow =
    outcome?.ok === false &&
    outcome.action.kind === "deploy" &&
    outcome.action.release === retry.release &&
    classifyFailure(outcome.error) === "host";
  if (failedNow)
    options.events.emit({
      type: "deploy.retry_scheduled",
      app,
      release: retry.release,
      message: `release ${retry.release} failed for a host reason (${retry.code}); try ${retry.attempt + 1} in ${retry.delayMs}ms${timers ? "" : " (at the next agent run after that)"}`,
      ...(outcome.error ? { error: outcome.error } : {}),
      data: { code: retry.code, attempt: retry.attempt, delayMs: retry.delayMs, at: retry.at },
    });
  if (timers !== undefined && (failedNow || !timers.has(app)))
    timers.schedule(app, Date.parse(retry.at), options.again);
}
