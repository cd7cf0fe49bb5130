import { setMaxListeners } from "node:events";
import { Agent } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { checkLoadOptions } from "./check-load-options.js";
import { sendRequest } from "./send-request.js";
import { summarizeSamples } from "./summarize.js";
import type { LoadOptions, LoadResult, LoadSample } from "./types.js";

interface Run {
  send: () => Promise<void>;
  elapsed: () => number;
  stopped: () => boolean;
  inFlight: () => number;
}

/**
 * Sends HTTP requests to a loopback URL at a constant rate (open model) or from N clients
 * (closed model), bounded in time and count, and records every request as a sample.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = checkLoadOptions(options);
  const abort = new AbortController();
  // Every request in flight listens on this one signal; thousands of listeners are expected here.
  setMaxListeners(0, abort.signal);
  const onAbort = (): void => abort.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const agent = options.keepAlive ? new Agent({ keepAlive: true }) : false;
  const samples: LoadSample[] = [];
  const startedAt = Date.now();
  const origin = performance.now();
  let inFlight = 0;
  let callbackError: { error: unknown } | undefined;
  const run: Run = {
    elapsed: () => performance.now() - origin,
    stopped: () => abort.signal.aborted,
    inFlight: () => inFlight,
    send: async () => {
      const t = performance.now() - origin;
      inFlight += 1;
      const outcome = await sendRequest(url, {
        method: options.method ?? "GET",
        host: options.host,
        agent,
        timeoutMs: options.timeoutMs ?? 5000,
        signal: abort.signal,
      });
      inFlight -= 1;
      if (outcome.aborted) return;
      const { aborted: _aborted, ...rest } = outcome;
      const sample: LoadSample = { t, ...rest };
      samples.push(sample);
      try {
        options.onSample?.(sample);
      } catch (error) {
        // A throwing callback stops the run and is rethrown to the caller, never dropped.
        callbackError ??= { error };
        abort.abort();
      }
    },
  };
  try {
    const skipped =
      options.rate !== undefined ? await runOpen(run, options, options.rate) : await runClosed(run, options);
    if (callbackError !== undefined) throw callbackError.error;
    samples.sort((a, b) => a.t - b.t);
    return { ...summarizeSamples(samples), startedAt, skipped, samples };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    if (agent) agent.destroy();
  }
}

/** Open model: request i is due at i/rate seconds, sent whether or not earlier ones answered. */
async function runOpen(run: Run, options: LoadOptions, rate: number): Promise<number> {
  const interval = 1000 / rate;
  const total = Math.min(options.maxRequests, Math.ceil((options.durationMs * rate) / 1000));
  const maxInFlight = options.maxInFlight ?? 1000;
  const pending = new Set<Promise<void>>();
  let skipped = 0;
  let next = 0;
  while (next < total && !run.stopped()) {
    const now = run.elapsed();
    // Catch up on every request that fell due while the timer slept.
    while (next < total && next * interval <= now) {
      next += 1;
      if (run.inFlight() >= maxInFlight) {
        skipped += 1;
        continue;
      }
      const sent = run.send();
      pending.add(sent);
      void sent.finally(() => pending.delete(sent));
    }
    if (next < total) await sleep(Math.max(1, Math.min(10, next * interval - run.elapsed())));
  }
  await Promise.all(pending);
  return skipped;
}

/** Closed model: `concurrency` clients, each sending its next request when the last one answered. */
async function runClosed(run: Run, options: LoadOptions): Promise<number> {
  let issued = 0;
  const client = async (): Promise<void> => {
    while (!run.stopped() && issued < options.maxRequests && run.elapsed() < options.durationMs) {
      issued += 1;
      await run.send();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 1 }, client));
  return 0;
}
