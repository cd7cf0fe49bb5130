import assert from "node:assert/strict";
import { test } from "node:test";
import { runLoad, summarizeSamples } from "../../src/load/index.js";
import { httpGet, waitForBody } from "../support/http.js";
import { liveInstances, makeSwapHost, readApp, readEvents, runAgentOnce, storeRelease } from "./swap-host.js";

const RATE = 100;

/** Constant-rate load on the public address until `signal` aborts (bounded in time and requests). */
function loadUntil(url: string, signal: AbortSignal) {
  return runLoad({ url, rate: RATE, durationMs: 150_000, maxRequests: 15_000, timeoutMs: 10_000, signal });
}

async function deployOnce(host: Parameters<typeof runAgentOnce>[0]): Promise<void> {
  const run = await runAgentOnce(host);
  assert.equal(run.code, 0, run.stderr);
}

test("ten blue-green swaps under constant load fail no request", async () => {
  const host = await makeSwapHost();
  await storeRelease(host, { version: "v1" });
  await deployOnce(host);
  assert.equal(await waitForBody(host.url, "v1"), "v1 hello\n");

  const stop = new AbortController();
  const load = loadUntil(host.url, stop.signal);
  for (let i = 2; i <= 11; i += 1) {
    await storeRelease(host, { version: `v${i}` });
    await deployOnce(host);
    assert.equal((await httpGet(host.url)).body, `v${i} hello\n`);
  }
  stop.abort();
  const result = await load;

  assert.equal(result.errors, 0, `connection errors: ${JSON.stringify(result.errorKinds)}`);
  assert.equal(result.non2xx, 0);
  assert.ok(result.requests > 10 * RATE, `load ran through the swaps (${result.requests} requests)`);
  const events = readEvents(host.data);
  const succeeded = events.filter((e) => e.type === "deploy.succeeded");
  assert.deepEqual(
    succeeded.map((e) => [e.release, e.data?.strategy]),
    Array.from({ length: 11 }, (_, i) => [i + 1, "blue-green"]),
  );
  // One swap's recorded steps: new beside old, health, switch, confirm, drain, stop old.
  const deploy = events.find((e) => e.type === "deploy.started" && e.release === 5)?.deploy;
  const steps = events
    .filter((e) => e.deploy === deploy && !e.type.endsWith(".probe") && e.type !== "swap.phase")
    .map((e) => `${e.type} ${e.release}`);
  const started = steps.indexOf("instance.started 5");
  assert.deepEqual(steps.slice(started), [
    "instance.started 5",
    "health.ok 5",
    "proxy.switched 5",
    "proxy.drained 4",
    "instance.stopped 4",
    "deploy.succeeded 5",
  ]);
  const phases = events.filter((e) => e.deploy === deploy && e.type === "swap.phase").map((e) => e.message);
  assert.deepEqual(phases, ["starting", "checking", "switched", "confirming", "draining"]);
  assert.equal(readApp(host)?.swap, undefined, "no swap is left in state");
  assert.deepEqual(
    liveInstances(host.data).map((i) => i.id),
    [readApp(host)?.instances[0]?.id],
  );
});

test("a release that never becomes healthy is stopped; the old one serves on and no request fails", async () => {
  const host = await makeSwapHost();
  await storeRelease(host, { version: "v1" });
  await deployOnce(host);
  const before = readApp(host)?.instances[0];

  const stop = new AbortController();
  const load = loadUntil(host.url, stop.signal);
  await storeRelease(host, {
    fixture: "hang",
    version: "v2",
    health: "{ http: /, timeout: 1500ms, interval: 100ms }",
  });
  const run = await runAgentOnce(host);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /ERR_SKIFF_DEPLOY_FAILED/);
  // A second pass does not retry the failed release.
  await deployOnce(host);
  stop.abort();
  const result = await load;

  assert.equal(result.errors, 0, `connection errors: ${JSON.stringify(result.errorKinds)}`);
  assert.equal(result.non2xx, 0);
  assert.ok(result.requests > RATE, `${result.requests} requests`);
  assert.equal((await httpGet(host.url)).body, "v1 hello\n");
  assert.equal(readApp(host)?.instances[0]?.id, before?.id, "the old instance was never replaced");
  assert.deepEqual(
    readApp(host)?.failed.map((f) => f.release),
    [2],
  );
  const events = readEvents(host.data);
  assert.equal(
    events.filter((e) => e.type === "instance.started" && e.release === 2).length,
    1,
    "tried once",
  );
  assert.ok(!events.some((e) => e.type === "proxy.switched" && e.release === 2), "never switched to it");
  assert.ok(
    events.some(
      (e) =>
        e.type === "health.probe" && e.release === 2 && e.data?.ok === false && e.data?.reason !== undefined,
    ),
  );
  assert.deepEqual(
    liveInstances(host.data).map((i) => i.id),
    [before?.id],
  );
});

test("a crash inside the confirmation window switches back to the old instance and marks the release failed", async () => {
  const host = await makeSwapHost();
  await storeRelease(host, { version: "v1" });
  await deployOnce(host);
  const before = readApp(host)?.instances[0];

  const stop = new AbortController();
  const load = loadUntil(host.url, stop.signal);
  await storeRelease(host, {
    fixture: "die-after",
    version: "v2",
    env: { DIE_AFTER_MS: "600" },
    confirm: "3s",
  });
  const run = await runAgentOnce(host);
  assert.equal(run.code, 1);
  await deployOnce(host);
  stop.abort();
  const result = await load;

  assert.equal((await httpGet(host.url)).body, "v1 hello\n");
  assert.equal(readApp(host)?.instances[0]?.id, before?.id);
  assert.deepEqual(
    readApp(host)?.failed.map((f) => f.release),
    [2],
  );
  const events = readEvents(host.data);
  const rolledBack = events.find((e) => e.type === "deploy.rolled_back");
  assert.equal(rolledBack?.data?.reason, "crashed");
  const failed = events.find((e) => e.type === "deploy.failed" && e.release === 2);
  assert.equal(failed?.error?.code, "ERR_SKIFF_ROLLED_BACK");
  const switches = events.filter((e) => e.type === "proxy.switched").map((e) => e.release);
  assert.deepEqual(switches.slice(-2), [2, 1], "switched to the new one, then back");
  // Requests sent after the switch back all succeed.
  const backAt =
    Date.parse(events.filter((e) => e.type === "proxy.switched").at(-1)!.time) - result.startedAt;
  const after = summarizeSamples(result.samples, { fromMs: backAt + 50 });
  assert.ok(after.requests > 0);
  assert.equal(after.errors + after.non2xx, 0, JSON.stringify(after.errorKinds));
  assert.deepEqual(
    liveInstances(host.data).map((i) => i.id),
    [before?.id],
  );
});
