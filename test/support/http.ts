import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** GET a URL; resolves with status and body, or rejects on a connection error. */
export async function httpGet(url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}

/** Polls until the URL answers 2xx with a body containing `expect` (when given); returns the body. */
export async function waitForBody(url: string, expect?: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const { status, body } = await httpGet(url, 2000);
      if (status >= 200 && status < 300 && (expect === undefined || body.includes(expect))) return body;
      last = `${status} ${body.trim()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${url} did not serve ${expect ?? "2xx"} within ${timeoutMs}ms (last: ${last})`);
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
