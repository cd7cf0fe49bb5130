import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import { after, describe, it } from "node:test";
import {
  startImpairProxy,
  toImpairment,
  type Impairment,
  type ImpairProxy,
} from "../../src/stage/impair/index.js";

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** An HTTP server answering `bytes` bytes (default "ok\n"). */
async function startServer(bytes?: number): Promise<{ host: string; port: number }> {
  const body = bytes === undefined ? Buffer.from("ok\n") : Buffer.alloc(bytes, 97);
  const server: Server = createServer((_req, res) => res.end(body));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("not listening");
  return { host: "127.0.0.1", port: address.port };
}

async function impair(
  target: { host: string; port: number },
  impairment: Impairment,
  random?: () => number,
): Promise<ImpairProxy> {
  const proxy = await startImpairProxy({ target, impairment, ...(random ? { random } : {}) });
  cleanups.push(() => proxy.close());
  return proxy;
}

/** One GET on a new connection: bytes read, elapsed ms, or the error code. */
function get(address: {
  host: string;
  port: number;
}): Promise<{ bytes: number; ms: number; error?: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      { host: address.host, port: address.port, path: "/", agent: false, timeout: 10_000 },
      (res) => {
        let bytes = 0;
        res.on("data", (chunk: Buffer) => (bytes += chunk.length));
        res.on("end", () => resolve({ bytes, ms: performance.now() - started }));
        res.on("error", (error: NodeJS.ErrnoException) =>
          resolve({ bytes, ms: performance.now() - started, error: error.code ?? "other" }),
        );
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ bytes: 0, ms: performance.now() - started, error: error.code ?? "other" }),
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end();
  });
}

const none = toImpairment({ thresholds: {} });

describe("impairment proxy", () => {
  it("adds at least the configured delay in each direction (measured)", async () => {
    const server = await startServer();
    const direct = await get(server);
    const proxy = await impair(server, { ...none, delayMs: 150 });
    const delayed = await get(proxy.address);
    assert.equal(delayed.error, undefined);
    assert.equal(delayed.bytes, direct.bytes);
    // Request and answer each wait 150 ms.
    assert.ok(delayed.ms >= 300, `latency ${delayed.ms.toFixed(1)}ms < 300ms`);
    assert.ok(delayed.ms < 300 + 500, `latency ${delayed.ms.toFixed(1)}ms: far more than the delay`);
    assert.ok(direct.ms < 150, `direct latency ${direct.ms.toFixed(1)}ms`);
  });

  it("limits throughput to the bandwidth cap", async () => {
    const size = 300_000;
    const server = await startServer(size);
    const direct = await get(server);
    const proxy = await impair(server, { ...toImpairment({ bandwidth: "4mbps", thresholds: {} }) });
    const capped = await get(proxy.address);
    assert.equal(capped.bytes, size);
    const bytesPerSec = (capped.bytes / capped.ms) * 1000;
    // 4 mbps = 500 000 bytes/s: 300 kB need at least 0.6 s.
    assert.ok(bytesPerSec <= 500_000 * 1.05, `throughput ${Math.round(bytesPerSec)} B/s above the cap`);
    assert.ok(capped.ms >= 550, `${capped.ms.toFixed(0)}ms for 300 kB at 4 mbps`);
    assert.ok(direct.ms < 300, `direct took ${direct.ms.toFixed(0)}ms`);
    assert.equal(proxy.stats().bytesDown > size, true);
  });

  it("closes new connections under connection loss and resets them mid-stream under reset", async () => {
    const server = await startServer();
    const lost = await impair(server, { ...none, connectionLoss: 1 });
    const refused = await get(lost.address);
    assert.ok(refused.error !== undefined, "a lost connection fails");
    assert.equal(lost.stats().refused, 1);

    const resetting = await impair(server, { ...none, reset: 1 });
    const reset = await get(resetting.address);
    assert.equal(reset.error, "ECONNRESET");
    assert.equal(resetting.stats().reset, 1);

    const clean = await impair(server, { ...none, connectionLoss: 0.5, reset: 0.5 }, () => 0.99);
    assert.equal((await get(clean.address)).error, undefined, "a draw above the probability passes");
  });

  it("emulates packet loss as a stall of at least 200 ms per lost chunk", async () => {
    const server = await startServer();
    const proxy = await impair(server, { ...none, loss: 0.5 }, () => 0.1);
    const stalled = await get(proxy.address);
    assert.equal(stalled.error, undefined);
    assert.ok(stalled.ms >= 400, `request and answer each stall: ${stalled.ms.toFixed(0)}ms`);
    assert.ok(proxy.stats().stalledChunks >= 2);
  });
});
