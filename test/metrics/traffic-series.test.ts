import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startTrafficSampler, toTrafficPoint, type TrafficReading } from "../../src/metrics/index.js";

const hello = (fields: Partial<TrafficReading>): TrafficReading => ({
  app: "hello",
  instances: 1,
  ...fields,
});

describe("traffic series for the dashboard's charts", () => {
  it("turns two readings of the front door's totals into requests per second, an error rate and latency", () => {
    const before = hello({ open: 1, requests: 100, errors: 2, latencyMs: { p50: 3, p95: 9 } });
    const now = hello({ open: 4, requests: 150, errors: 7, latencyMs: { p50: 4, p95: 12 } });
    assert.deepEqual(toTrafficPoint(5000, now, before, 5000), {
      time: 5000,
      requestsPerSecond: 10,
      errorRate: 0.1,
      p50Ms: 4,
      p95Ms: 12,
      instances: 1,
      openConnections: 4,
    });
    // No request in the interval: no error rate to speak of, and no fresh latency.
    const idle = toTrafficPoint(10_000, now, now, 5000);
    assert.equal(idle.requestsPerSecond, 0);
    assert.equal(idle.errorRate, 0);
    assert.equal(idle.p50Ms, null);
  });

  it("gives no figure for the first reading, for totals that went down (the door restarted) and for what the door does not count", () => {
    const point = toTrafficPoint(1, hello({ requests: 10 }), undefined, 0);
    assert.equal(point.requestsPerSecond, null);
    const restarted = toTrafficPoint(
      2,
      hello({ requests: 3, errors: 0 }),
      hello({ requests: 900, errors: 4 }),
      1000,
    );
    assert.equal(restarted.requestsPerSecond, null);
    assert.equal(restarted.errorRate, null);
    // Today's per-app proxies: open connections and instances only.
    const proxy = toTrafficPoint(3, hello({ open: 2 }), hello({ open: 1 }), 1000);
    assert.deepEqual(
      [proxy.requestsPerSecond, proxy.errorRate, proxy.p95Ms, proxy.instances, proxy.openConnections],
      [null, null, null, 1, 2],
    );
  });

  it("keeps at most one window of samples per app, and a window read returns columns of equal length", async () => {
    let requests = 0;
    let now = 1_000_000;
    const sampler = startTrafficSampler({
      intervalMs: 60_000, // the timer never fires in this test: samples are taken by hand
      windowMs: 180_000,
      now: () => now,
      read: () => {
        requests += 50;
        now += 60_000;
        return Promise.resolve([hello({ requests, errors: 0, open: 0 })]);
      },
    });
    try {
      for (let i = 0; i < 10; i++) await sampler.sample();
      assert.equal(
        requests,
        50 * 10,
        "the first call joins the sample taken at start: never two reads at once",
      );
      const series = sampler.series("hello", 3_600_000);
      // capacity = window / interval + 1 = 4; the first sample was taken when the sampler started.
      assert.equal(series.time.length, 4);
      for (const column of Object.values(series)) assert.equal(column.length, 4);
      assert.deepEqual(series.requestsPerSecond, [0.833, 0.833, 0.833, 0.833], "50 requests a minute");
      assert.deepEqual(sampler.series("other", 3_600_000).time, []);
    } finally {
      sampler.stop();
    }
  });
});
