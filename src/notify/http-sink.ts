import type { EventInput, EventSink, SkiffEvent } from "../events/index.js";
import type { Logger } from "../log/index.js";
import { deliveredEvent, droppedEvent, failedEvent, type DeliveryEnd } from "./delivery-events.js";
import { eventId } from "./event-id.js";
import { describeOutcome, postDelivery } from "./post-delivery.js";
import { DEFAULT_RETRY_POLICY, planRetry, type PostOutcome, type RetryPolicy } from "./plan-retry.js";
import { signWebhook } from "./sign-webhook.js";
import { formatSlackMessage } from "./slack.js";

export interface HttpSinkOptions {
  url: string;
  format: "json" | "slack";
  /** Per attempt; also how long close() gives what is queued to get out. */
  timeoutMs: number;
  retry?: Partial<RetryPolicy>;
  /** Signs each POST (`Skiff-Signature`); without it the POSTs are unsigned. */
  secret?: string;
  /** Events waiting beyond this are dropped, oldest first: a sink that is down loses events, not memory. */
  queueLimit?: number;
  /** Shown in logs and events instead of the URL, which may carry a token. */
  label: string;
  logger?: Logger;
  /** Receives notify.delivered, notify.failed and notify.dropped (the agent emits them on its event bus). */
  report?: (event: EventInput) => void;
}

interface Delivery {
  event: SkiffEvent;
  id: string;
  body: string;
}

/**
 * POSTs each event in the background, one at a time and in order, retrying with backoff for a bounded
 * time; emit() never waits and never throws, so a sink that is down never delays a deploy.
 */
export function createHttpSink(options: HttpSinkOptions): EventSink {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const limit = options.queueLimit ?? 100;
  const waiting: Delivery[] = [];
  const stop = new AbortController();
  let wakeUp: (() => void) | undefined;
  let draining: Promise<void> | undefined;
  let dropped = { count: 0, reason: "" };

  const report = (event: EventInput): void => {
    try {
      options.report?.(event);
    } catch {
      // A broken reporter must not stop deliveries.
    }
  };
  const reportDropped = (): void => {
    if (dropped.count === 0) return;
    report(droppedEvent({ sink: options.label, ...dropped }));
    dropped = { count: 0, reason: "" };
  };

  /** Waits `ms`, or less when close() asks for one last attempt. */
  const wait = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      // Unref'd: a notification waiting to be retried never keeps a process alive by itself.
      const timer = setTimeout(resolve, ms).unref();
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (wakeUp = undefined));

  const deliver = async (delivery: Delivery): Promise<void> => {
    const started = Date.now();
    for (let attempts = 1; ; attempts++) {
      const outcome = await attempt(delivery, attempts);
      const random = Math.random();
      const decision = planRetry({ attempts, elapsedMs: Date.now() - started, outcome, policy, random });
      if (decision.retry && !stop.signal.aborted) {
        await wait(decision.delayMs);
        if (!stop.signal.aborted) continue;
      }
      const reason = decision.retry ? "gave up" : decision.reason;
      reportOutcome(delivery, outcome, { attempts, durationMs: Date.now() - started }, reason);
      return;
    }
  };

  const attempt = (delivery: Delivery, attempts: number): Promise<PostOutcome> =>
    postDelivery({
      url: options.url,
      body: delivery.body,
      timeoutMs: options.timeoutMs,
      signal: stop.signal,
      headers: {
        "skiff-event-id": delivery.id,
        "skiff-delivery-attempt": String(attempts),
        ...(options.secret === undefined
          ? {}
          : {
              "skiff-signature": signWebhook({
                secret: options.secret,
                body: delivery.body,
                timestamp: Date.now(),
              }),
            }),
      },
    });

  const reportOutcome = (
    delivery: Delivery,
    outcome: PostOutcome,
    end: Omit<DeliveryEnd, "event" | "id" | "sink">,
    reason: "delivered" | "refused" | "gave up",
  ): void => {
    const ended = { event: delivery.event, id: delivery.id, sink: options.label, ...end };
    if (reason === "delivered") {
      report(deliveredEvent({ ...ended, status: outcome.status }));
      return;
    }
    const failed = failedEvent({ ...ended, outcome: describeOutcome(outcome), reason });
    // With a reporter, the notify.failed event reaches the logs already (at warn: it has an error).
    if (options.report === undefined)
      options.logger?.warn(
        { notify: options.label, event: delivery.event.type, attempts: end.attempts },
        failed.message,
      );
    report(failed);
  };

  const drain = async (): Promise<void> => {
    for (let next = waiting.shift(); next !== undefined; next = waiting.shift()) {
      await deliver(next);
      reportDropped();
    }
    draining = undefined;
  };

  return {
    emit(event: SkiffEvent): void {
      if (stop.signal.aborted) return;
      if (waiting.length >= limit) {
        waiting.shift();
        dropped = {
          count: dropped.count + 1,
          reason: `${options.label} did not take them and the queue (${limit}) was full`,
        };
      }
      const id = eventId(event);
      const body = JSON.stringify(options.format === "slack" ? formatSlackMessage(event) : { id, ...event });
      waiting.push({ event, id, body });
      draining ??= drain();
    },
    async close(): Promise<void> {
      // What is queued has one timeout from now to get out (a waiting retry is tried at once), then is given up.
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.timeoutMs)));
      wakeUp?.();
      await Promise.race([draining ?? Promise.resolve(), deadline]);
      clearTimeout(timer);
      stop.abort();
      wakeUp?.();
      if (waiting.length > 0)
        dropped = {
          count: dropped.count + waiting.length,
          reason: "the agent stopped before they were sent",
        };
      waiting.length = 0;
      await draining;
      reportDropped();
    },
  };
}
