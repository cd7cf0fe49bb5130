import assert from "node:assert/strict";
import { connect } from "node:net";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { httpGet } from "../support/http.js";
import { skiffOk } from "../support/run-skiff.js";
import {
  liveInstances,
  makeSwapHost,
  readApp,
  readEvents,
  runAgentOnce,
  spawnAgent,
  storeRelease,
  waitFor,
  type SwapHost,
} from "./swap-host.js";
import { exited } from "../support/processes.js";

/** One TCP connection to the public address that sends a keep-alive GET every 200 ms and records the answers. */
function holdConnection(host: SwapHost) {
  const [address, port] = host.publish.split(":");
  const socket = connect({ host: address, port: Number(port) });
  const held = { bodies: [] as string[], closedAt: undefined as number | undefined, end: () => socket.end() };
  let buffer = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    for (const match of buffer.matchAll(/(v\d+) hello/g)) held.bodies.push(match[1]!);
    buffer = buffer.slice(buffer.lastIndexOf("hello") + 1);
  });
  socket.on("error", () => undefined);
  socket.on("close", () => {
    held.closedAt = Date.now();
    clearInterval(timer);
  });
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(`GET / HTTP/1.1\r\nHost: ${host.publish}\r\n\r\n`);
  }, 200);
  return held;
}

function eventTime(host: SwapHost, type: string, release: number): number | undefined {
  const event = readEvents(host.data).find((e) => e.type === type && e.release === release);
  return event === undefined ? undefined : Date.parse(event.time);
}

test("a long-lived connection stays on the old instance after the switch until the drain timeout cuts it", async () => {
  const host = await makeSwapHost();
  await storeRelease(host, { version: "v1" });
  assert.equal((await runAgentOnce(host)).code, 0);
  const held = holdConnection(host);
  await waitFor("a first answer", () => (held.bodies.length > 0 ? true : undefined));
  await storeRelease(host, { version: "v2", confirm: "1s", drain: "2s" });
  const run = await runAgentOnce(host);
  assert.equal(run.code, 0, run.stderr);

  assert.equal((await httpGet(host.url)).body, "v2 hello\n", "new connections reach the new instance");
  const switchedAt = eventTime(host, "proxy.switched", 2)!;
  const drained = readEvents(host.data).find((e) => e.type === "proxy.drained");
  assert.deepEqual(
    [drained?.release, drained?.data?.drained, drained?.data?.closed],
    [1, false, 1],
    "cut at the drain timeout",
  );
  assert.ok(held.closedAt !== undefined, "the held connection was closed");
  // Switch, then the 1 s confirmation window, then the 2 s drain: it served all along.
  assert.ok(held.closedAt - switchedAt >= 2900, `closed ${held.closedAt - switchedAt}ms after the switch`);
  assert.ok(held.bodies.length >= 10, `${held.bodies.length} answers on the held connection`);
  assert.deepEqual([...new Set(held.bodies)], ["v1"], "every answer on it came from the old instance");
});

test("a long-lived connection that closes during the drain ends the drain early", async () => {
  const host = await makeSwapHost();
  await storeRelease(host, { version: "v1" });
  assert.equal((await runAgentOnce(host)).code, 0);
  const held = holdConnection(host);
  await waitFor("a first answer", () => (held.bodies.length > 0 ? true : undefined));
  await storeRelease(host, { version: "v2", confirm: "1s", drain: "20s" });
  const started = Date.now();
  const run = runAgentOnce(host);
  const switchedAt = await waitFor("the switch", () => eventTime(host, "proxy.switched", 2));
  await sleep(Math.max(0, switchedAt + 1500 - Date.now()));
  held.end();
  assert.equal((await run).code, 0);

  assert.ok(Date.now() - started < 15_000, "the agent did not wait out the 20 s drain timeout");
  const drained = readEvents(host.data).find((e) => e.type === "proxy.drained");
  assert.deepEqual([drained?.data?.drained, drained?.data?.closed], [true, 0]);
  assert.deepEqual([...new Set(held.bodies)], ["v1"]);
});

test("a crash loop is restarted with doubling backoff up to the limit, reported, and left stopped", async () => {
  const host = await makeSwapHost();
  await storeRelease(host, {
    fixture: "die-after",
    version: "v1",
    env: { DIE_AFTER_MS: "500" },
    restart: "{ limit: 2, backoff: 300ms }",
  });
  const agent = spawnAgent(host, { once: false, poll: "100ms" });
  await waitFor(
    "the crash loop report",
    () => readEvents(host.data).find((e) => e.type === "instance.crash_loop"),
    30_000,
  );
  await sleep(1000);
  agent.kill("SIGTERM");
  await exited(agent);

  const events = readEvents(host.data);
  assert.deepEqual(
    events.filter((e) => e.type === "instance.backoff").map((e) => e.data?.waitMs),
    [300, 600],
  );
  assert.equal(
    events.filter((e) => e.type === "instance.started").length,
    3,
    "the first start and two restarts, no more",
  );
  assert.equal(events.find((e) => e.type === "instance.crash_loop")?.error?.code, "ERR_SKIFF_CRASH_LOOP");
  assert.deepEqual(liveInstances(host.data), []);
  const status = JSON.parse((await skiffOk(["status", "--data", host.data, "--json"])).stdout) as {
    status: string;
    crashLoop?: { restarts: number };
  }[];
  assert.deepEqual(
    status.map((s) => [s.status, s.crashLoop?.restarts]),
    [["crash-loop", 2]],
  );
  assert.ok(readApp(host)?.crashes?.loop);
});

test("skiff stop during a backoff wait wins: no restart follows", async () => {
  const host = await makeSwapHost();
  await storeRelease(host, {
    fixture: "die-after",
    version: "v1",
    env: { DIE_AFTER_MS: "300" },
    // Long enough for `skiff stop` to land inside it: its process start alone took 3–4.5 s on a loaded 2-core host.
    restart: "{ limit: 3, backoff: 10s }",
  });
  const agent = spawnAgent(host, { once: false, poll: "100ms" });
  const backoff = await waitFor(
    "a backoff wait",
    () => readEvents(host.data).find((e) => e.type === "instance.backoff"),
    20_000,
  );
  await skiffOk(["stop", host.app, "--data", host.data]);
  await waitFor("the restart to be cancelled", () =>
    readEvents(host.data).find((e) => e.type === "instance.restart_cancelled"),
  );
  // Five more passes after it: none restarts the stopped app.
  const passes = (): number => readEvents(host.data).filter((e) => e.type === "agent.planned").length;
  const seen = passes();
  await waitFor("five more passes", () => (passes() >= seen + 5 ? true : undefined));
  assert.equal(agent.exitCode, null, "the agent runs on");
  agent.kill("SIGTERM");
  await exited(agent);

  const events = readEvents(host.data);
  const after = events.filter((e) => Date.parse(e.time) > Date.parse(backoff.time));
  assert.ok(!after.some((e) => e.type === "instance.started"), "nothing was started after the stop");
  assert.equal(
    after.find((e) => e.type === "instance.restart_cancelled")?.error?.code,
    "ERR_SKIFF_APP_STOPPED",
  );
  assert.deepEqual(liveInstances(host.data), []);
  assert.ok(readApp(host)?.stopped, "the app stays stopped");
});
