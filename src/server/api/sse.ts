import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { serializeError } from "../../errors/index.js";
import type { Logger } from "../../log/index.js";

/** Sends one Server-Sent Event: `event: NAME`, `data: JSON`. */
export type SendEvent = (event: string, data: unknown) => void;

/** Comments every 15 s keep proxies and browsers from closing an idle stream. */
const HEARTBEAT_MS = 15_000;
/** Events waiting to be written before the stream is given up (a client that stopped reading). */
const MAX_PENDING = 1000;

/**
 * A text/event-stream answer: `run` sends events until the client goes away (the signal aborts);
 * writes are queued in order and bounded. A failure inside is sent as an `error` event.
 */
export function streamEvents(
  c: Context,
  logger: Logger,
  run: (send: SendEvent, signal: AbortSignal) => Promise<void>,
): Response {
  return streamSSE(c, async (stream) => {
    const abort = new AbortController();
    stream.onAbort(() => abort.abort());
    c.req.raw.signal.addEventListener("abort", () => abort.abort(), { once: true });
    let pending = 0;
    let chain = Promise.resolve();
    const send: SendEvent = (event, data) => {
      if (abort.signal.aborted) return;
      if (++pending > MAX_PENDING) {
        abort.abort();
        return;
      }
      chain = chain
        .then(() => stream.writeSSE({ event, data: JSON.stringify(data) }))
        .catch(() => abort.abort())
        .finally(() => void pending--);
    };
    const heartbeat = setInterval(() => {
      chain = chain
        .then(() => stream.write(": keep-alive\n\n"))
        .then(
          () => undefined,
          () => abort.abort(),
        );
    }, HEARTBEAT_MS);
    try {
      await run(send, abort.signal);
      if (!abort.signal.aborted) {
        await new Promise<void>((resolve) => abort.signal.addEventListener("abort", () => resolve()));
      }
    } catch (error) {
      logger.error({ err: error, path: c.req.path }, "event stream failed");
      send("error", serializeError(error));
    } finally {
      clearInterval(heartbeat);
      await chain;
    }
  });
}
