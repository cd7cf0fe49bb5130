import { request as requestHttp } from "node:http";
import { request as requestHttps } from "node:https";
import type { PostOutcome } from "./plan-retry.js";

export interface PostInput {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Aborting ends the request at once with error "aborted". */
  signal: AbortSignal;
}

/** One POST of a notification; resolves with how it ended, never rejects. */
export function postDelivery(input: PostInput): Promise<PostOutcome> {
  return new Promise((resolve) => {
    if (input.signal.aborted) {
      resolve({ error: "aborted" });
      return;
    }
    const request = input.url.startsWith("https:") ? requestHttps : requestHttp;
    const req = request(input.url, {
      method: "POST",
      agent: false,
      headers: {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(input.body)),
        "user-agent": "skiff-agent",
        ...input.headers,
      },
    });
    let done = false;
    const finish = (outcome: PostOutcome): void => {
      if (done) return;
      done = true;
      input.signal.removeEventListener("abort", onAbort);
      req.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => finish({ error: "aborted" });
    input.signal.addEventListener("abort", onAbort, { once: true });
    req.setTimeout(input.timeoutMs, () => finish({ error: "timeout" }));
    req.once("response", (res) => {
      res.resume();
      const retryAfter = Number(res.headers["retry-after"]);
      res.once("end", () =>
        finish({
          status: res.statusCode ?? 0,
          ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
        }),
      );
      res.once("error", () => finish({ status: res.statusCode ?? 0 }));
    });
    req.once("error", (error: NodeJS.ErrnoException) => finish({ error: error.code ?? "error" }));
    req.end(input.body);
  });
}

/** "status 500", "timeout", "ECONNREFUSED": for logs and events. */
export function describeOutcome(outcome: PostOutcome): string {
  return outcome.status === undefined ? (outcome.error ?? "error") : `status ${outcome.status}`;
}
