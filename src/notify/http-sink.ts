import { request as requestHttp } from "node:http";
import { request as requestHttps } from "node:https";
import type { EventSink, SkiffEvent } from "../events/index.js";
import type { Logger } from "../log/index.js";
import { formatSlackMessage } from "./slack.js";

export interface HttpSinkOptions {
  url: string;
  format: "json" | "slack";
  /** Per delivery; also the longest close() waits for the queue to drain. */
  timeoutMs: number;
  /** Events beyond this are dropped (oldest first): a sink that is down loses events, not memory. */
  queueLimit?: number;
  /** Shown in logs instead of the URL, which may carry a token. */
  label: string;
  logger?: Logger;
}

/** POSTs each event in the background, one at a time; emit() never waits and never throws. */
export function createHttpSink(options: HttpSinkOptions): EventSink {
  const queue: SkiffEvent[] = [];
  const limit = options.queueLimit ?? 100;
  let draining: Promise<void> | undefined;
  let closing = false;
  const inFlight = new Set<() => void>();

  const drain = async (): Promise<void> => {
    for (let event = queue.shift(); event !== undefined && !closing; event = queue.shift()) {
      const body = JSON.stringify(options.format === "slack" ? formatSlackMessage(event) : event);
      const outcome = await post(options.url, body, options.timeoutMs, inFlight);
      if (outcome !== "ok")
        options.logger?.warn(
          { notify: options.label, event: event.type, outcome },
          "notification not delivered",
        );
    }
    draining = undefined;
  };

  return {
    emit(event: SkiffEvent): void {
      if (closing) return;
      if (queue.length >= limit) queue.shift();
      queue.push(event);
      draining ??= drain();
    },
    async close(): Promise<void> {
      // Give queued events one timeout to get out, then abandon the rest.
      const timer = new Promise<void>((resolve) => setTimeout(resolve, options.timeoutMs).unref());
      await Promise.race([draining ?? Promise.resolve(), timer]);
      closing = true;
      queue.length = 0;
      for (const abort of inFlight) abort();
    },
  };
}

/** One POST; resolves "ok", "status N", "timeout" or an error code, never rejects. */
function post(url: string, body: string, timeoutMs: number, inFlight: Set<() => void>): Promise<string> {
  return new Promise((resolve) => {
    const request = url.startsWith("https:") ? requestHttps : requestHttp;
    const req = request(url, {
      method: "POST",
      agent: false,
      headers: {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        "user-agent": "skiff-agent",
      },
    });
    const abort = (): void => {
      req.destroy();
      finish("aborted");
    };
    const finish = (outcome: string): void => {
      inFlight.delete(abort);
      resolve(outcome);
    };
    inFlight.add(abort);
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      finish("timeout");
    });
    req.once("response", (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      finish(status >= 200 && status < 300 ? "ok" : `status ${status}`);
    });
    req.once("error", (error: NodeJS.ErrnoException) => finish(error.code ?? "error"));
    req.end(body);
  });
}
