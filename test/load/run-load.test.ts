import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, describe, it } from "node:test";
import { isSkiffError } from "../../src/errors/index.js";
import { runLoad, summarizeSamples, type LoadSample } from "../../src/load/index.js";
import { freePort } from "../support/http.js";

interface Recording {
  url: string;
  requests: () => number;
  connections: () => number;
  statuses: () => number[];
}

const servers: Server[] = [];
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A local server that records every request and connection; `answer` picks the status (or hangs). */
async function recordingServer(answer: (n: number) => number | "hang" = () => 200): Promise<Recording> {
  const statuses: number[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const status = answer(statuses.length + 1);
    if (status === "hang") return;
    statuses.push(status);
    res.writeHead(status).end("ok\n");
  });
  server.on("connection", () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    requests: () => statuses.length,
    connections: () => connections,
    statuses: () => statuses,
  };
}

describe("runLoad", () => {
  it("counts agree with the requests the server received (closed model)", async () => {
    const server = await recordingServer((n) => (n % 3 === 0 ? 503 : 200));
    const result = await runLoad({ url: server.url, concurrency: 8, maxRequests: 300, durationMs: 20_000 });
    assert.equal(result.requests, 300);
    assert.equal(server.requests(), 300);
    assert.equal(result.non2xx, server.statuses().filter((s) => s === 503).length);
    assert.equal(result.ok, server.statuses().filter((s) => s === 200).length);
    assert.equal(result.errors, 0);
    assert.equal(result.samples.length, 300);
    assert.ok(
      result.latency.p50 > 0 &&
        result.latency.p50 <= result.latency.p99 &&
        result.latency.p99 <= result.latency.max,
    );
  });

  it("opens a new connection per request unless keep-alive is asked for", async () => {
    const fresh = await recordingServer();
    await runLoad({ url: fresh.url, concurrency: 1, maxRequests: 20, durationMs: 10_000 });
    assert.equal(fresh.connections(), 20);
    const kept = await recordingServer();
    await runLoad({ url: kept.url, concurrency: 1, maxRequests: 20, durationMs: 10_000, keepAlive: true });
    assert.equal(kept.requests(), 20);
    assert.equal(kept.connections(), 1);
  });

  it("counts connection errors by kind when the target is down", async () => {
    const port = await freePort();
    const result = await runLoad({
      url: `http://127.0.0.1:${port}/`,
      concurrency: 4,
      maxRequests: 40,
      durationMs: 10_000,
    });
    assert.equal(result.requests, 40);
    assert.equal(result.ok, 0);
    assert.equal(result.errors, 40);
    assert.deepEqual(result.errorKinds, { ECONNREFUSED: 40 });
    assert.equal(result.errorRate, 1);
  });

  it("counts a request that gets no answer in time as a timeout", async () => {
    const server = await recordingServer(() => "hang");
    const result = await runLoad({
      url: server.url,
      concurrency: 2,
      maxRequests: 4,
      durationMs: 10_000,
      timeoutMs: 200,
    });
    assert.deepEqual(result.errorKinds, { timeout: 4 });
  });

  it("keeps the requested rate in the open model", async () => {
    const server = await recordingServer();
    const result = await runLoad({ url: server.url, rate: 100, durationMs: 2000, maxRequests: 10_000 });
    assert.equal(result.requests, 200);
    assert.equal(server.requests(), 200);
    assert.ok(Math.abs(result.rate - 100) <= 30, `achieved ${result.rate.toFixed(1)} req/s for 100 asked`);
    const spread = result.samples.at(-1)!.t - result.samples[0]!.t;
    assert.ok(
      spread > 1400,
      `requests are spread over the duration, not sent at once (${spread.toFixed(0)}ms)`,
    );
  });

  it("stops at maxRequests and when aborted", async () => {
    const server = await recordingServer();
    const capped = await runLoad({ url: server.url, rate: 1000, durationMs: 5000, maxRequests: 50 });
    assert.equal(capped.requests, 50);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const aborted = await runLoad({
      url: server.url,
      concurrency: 2,
      durationMs: 20_000,
      maxRequests: 1_000_000,
      signal: controller.signal,
    });
    assert.ok(aborted.durationMs < 5000, "an aborted run returns promptly");
  });

  it("refuses unbounded, ambiguous or remote runs with ERR_SKIFF_USAGE", async () => {
    const bad = [
      { url: "http://10.0.0.1/", concurrency: 1, durationMs: 1000, maxRequests: 1 },
      { url: "http://127.0.0.1:1/", durationMs: 1000, maxRequests: 1 },
      { url: "http://127.0.0.1:1/", rate: 1, concurrency: 1, durationMs: 1000, maxRequests: 1 },
      { url: "http://127.0.0.1:1/", rate: 1, durationMs: 0, maxRequests: 1 },
      { url: "https://127.0.0.1:1/", rate: 1, durationMs: 1000, maxRequests: 1 },
    ];
    for (const options of bad) {
      await assert.rejects(
        runLoad(options),
        (error: unknown) => isSkiffError(error) && error.code === "ERR_SKIFF_USAGE",
      );
    }
  });
});

describe("summarizeSamples", () => {
  it("gives exact percentiles and separates time windows", () => {
    const samples: LoadSample[] = [];
    for (let i = 1; i <= 100; i += 1) samples.push({ t: i * 10, latencyMs: i, ok: true, status: 200 });
    samples.push({ t: 2000, latencyMs: 5, ok: false, error: "ECONNRESET" });
    samples.push({ t: 2005, latencyMs: 7, ok: false, status: 502 });
    const all = summarizeSamples(samples);
    assert.equal(all.requests, 102);
    assert.deepEqual([all.ok, all.non2xx, all.errors], [100, 1, 1]);
    assert.deepEqual(all.errorKinds, { ECONNRESET: 1 });
    const steady = summarizeSamples(samples, { fromMs: 0, toMs: 1500 });
    assert.deepEqual(steady.latency, { p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 });
    assert.equal(steady.rate, (100 * 1000) / 1500);
    const swap = summarizeSamples(samples, { fromMs: 1500, toMs: 2500 });
    assert.deepEqual([swap.requests, swap.errors, swap.non2xx, swap.errorRate], [2, 1, 1, 1]);
  });
});
