import { request, type Agent } from "node:http";

export interface SendRequestOptions {
  method: string;
  /** The Host header to send instead of the URL's (a hostname routed by the front door's shared listener). */
  host?: string;
  /** false: a new connection per request. */
  agent: Agent | false;
  timeoutMs: number;
  signal: AbortSignal;
}

/** What one request ended with; `aborted` when the run was stopped while it was in flight. */
export type RequestOutcome =
  { aborted: true } | { aborted: false; latencyMs: number; ok: boolean; status?: number; error?: string };

/** Sends one request and reads the whole response; never rejects. */
export function sendRequest(url: URL, options: SendRequestOptions): Promise<RequestOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: { ok: boolean; status?: number; error?: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (options.signal.aborted) resolve({ aborted: true });
      else resolve({ aborted: false, latencyMs: performance.now() - started, ...outcome });
    };
    const req = request(
      url,
      {
        method: options.method,
        agent: options.agent,
        signal: options.signal,
        ...(options.host === undefined ? {} : { headers: { host: options.host } }),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.on("error", (error: NodeJS.ErrnoException) => finish({ ok: false, error: kindOf(error) }));
        res.on("end", () => finish({ ok: status >= 200 && status < 300, status }));
        // A response cut short may close without 'end' or 'error'.
        res.on("close", () =>
          finish(
            res.complete ? { ok: status >= 200 && status < 300, status } : { ok: false, error: "ECONNRESET" },
          ),
        );
        res.resume();
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, error: "timeout" });
      req.destroy();
    }, options.timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) => finish({ ok: false, error: kindOf(error) }));
    req.end();
  });
}

/** A connection error's kind: its errno code (ECONNREFUSED, ECONNRESET, EPIPE…) or "other". */
function kindOf(error: NodeJS.ErrnoException): string {
  return typeof error.code === "string" && /^E[A-Z_]+$/.test(error.code) ? error.code : "other";
}
