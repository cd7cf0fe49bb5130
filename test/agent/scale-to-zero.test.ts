import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { readState, readStatus, startAgent, startApp, stopApp } from "../../src/agent/index.js";
import { httpGetFresh } from "../support/http.js";
import { appUrl, makeAppsHost, storeApp } from "./apps-host.js";
import { eventsOf } from "./scale-host.js";
import { liveInstances, waitFor } from "./swap-host.js";

const asleep = (data: string, app: string, release: number) =>
  readState(data).apps[app]?.asleep?.release === release ? true : undefined;

test("a scaled-to-zero app boots once for its health check, answers its first request from cold, stops after idle and wakes again", async () => {
  const host = makeAppsHost();
  await storeApp(host, { app: "hello", version: "v1", scale: "{ min: 0, idle: 1s }" });
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 60_000 });
  try {
    await waitFor("release 1 to pass and sleep", () => asleep(host.data, "hello", 1), 30_000);
    assert.equal(liveInstances(host.data).length, 0, "nothing runs until a connection arrives");
    assert.equal((await readStatus(host.data))[0]?.status, "asleep");

    assert.equal((await httpGetFresh(appUrl(host, "hello"), 15_000)).body, "v1 hello\n");
    // The wake's task reports once it routed: the answer may come first.
    await agent.settled("hello");
    const woken = eventsOf(host.data, "hello", "instance.woken");
    assert.equal(woken.length, 1);
    const status = await readStatus(host.data);
    assert.deepEqual(
      status[0]?.instances.map((i) => i.reason),
      ["wake"],
    );

    await waitFor(
      "the idle instance to stop",
      () => eventsOf(host.data, "hello", "instance.idle_stopped")[0],
      15_000,
    );
    assert.equal(liveInstances(host.data).length, 0);
    assert.equal((await readStatus(host.data))[0]?.status, "asleep");

    assert.equal((await httpGetFresh(appUrl(host, "hello"), 15_000)).body, "v1 hello\n");
    await agent.settled("hello");
    assert.equal(eventsOf(host.data, "hello", "instance.woken").length, 2, "woken again");
  } finally {
    await agent.stop();
  }
});

test("health probes straight to an instance never keep it awake", async () => {
  const host = makeAppsHost();
  await storeApp(host, { app: "hello", version: "v1", scale: "{ min: 0, idle: 1s }" });
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 60_000 });
  try {
    await waitFor("release 1 to sleep", () => asleep(host.data, "hello", 1), 30_000);
    await httpGetFresh(appUrl(host, "hello"), 15_000);
    const instance = readState(host.data).apps.hello!.instances[0]!;
    // Probes as the agent sends them: to the instance's own address, every 100 ms, until it stops.
    let probes = 0;
    const probing = (async () => {
      while (liveInstances(host.data).length > 0) {
        await httpGetFresh(`http://${instance.address.host}:${instance.address.port}/`, 1000).catch(
          () => undefined,
        );
        probes += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await waitFor(
      "the probed instance to stop after idle",
      () => eventsOf(host.data, "hello", "instance.idle_stopped")[0],
      15_000,
    );
    await probing;
    assert.ok(probes >= 5, `probed ${probes} times while it idled`);
  } finally {
    await agent.stop();
  }
});

test("50 concurrent connections from zero all get answers and more than one replica starts", async () => {
  const host = makeAppsHost();
  await storeApp(host, {
    app: "burst",
    version: "v1",
    scale: "{ min: 0, max: 4, concurrency: 5, idle: 30s }",
  });
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 60_000 });
  try {
    await waitFor("release 1 to sleep", () => asleep(host.data, "burst", 1), 30_000);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        httpGetFresh(appUrl(host, "burst"), 20_000).catch((e: Error) => ({ status: 0, body: e.message })),
      ),
    );
    assert.deepEqual(
      answers.filter((a) => a.status !== 200),
      [],
      "every connection was answered",
    );
    await agent.settled("burst");
    const woken = eventsOf(host.data, "burst", "instance.woken");
    assert.ok(woken.length > 1, `${woken.length} replica(s) woke for the burst`);
    assert.ok(woken.length <= 4, "never more than scale.max");
  } finally {
    await agent.stop();
  }
});

test("a release that crashes on wake answers held connections with 503 within wake_timeout; the next good release wakes fine", async () => {
  const host = makeAppsHost();
  const marker = join(host.root, "booted");
  await storeApp(host, {
    app: "flaky",
    version: "v1",
    fixture: "first-boot-only",
    env: { BOOT_MARKER: marker },
    scale: "{ min: 0, idle: 30s, wake_timeout: 3s }",
  });
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 300 });
  try {
    await waitFor("release 1 to pass at deploy and sleep", () => asleep(host.data, "flaky", 1), 30_000);
    const began = Date.now();
    const answer = await httpGetFresh(appUrl(host, "flaky"), 15_000);
    assert.equal(answer.status, 503);
    assert.ok(Date.now() - began < 3000 + 2000, "answered by the wake_timeout (and the door's margin)");
    const failed = await waitFor("wake.failed", () => eventsOf(host.data, "flaky", "wake.failed")[0]);
    assert.equal(failed.error?.code, "ERR_SKIFF_INSTANCE_EXITED");
    assert.equal((await readStatus(host.data))[0]?.lastError?.code, "ERR_SKIFF_INSTANCE_EXITED");

    await storeApp(host, { app: "flaky", version: "v2", scale: "{ min: 0, idle: 30s, wake_timeout: 3s }" });
    await waitFor("release 2 to pass and sleep", () => asleep(host.data, "flaky", 2), 30_000);
    assert.equal((await httpGetFresh(appUrl(host, "flaky"), 15_000)).body, "v2 hello\n");
    assert.equal((await readStatus(host.data))[0]?.lastError, undefined, "the failed wake is history");
  } finally {
    await agent.stop();
  }
});

test("an instance that took longer to wake than idle serves for idle once it is ready, not stopped as it comes up", async () => {
  const host = makeAppsHost();
  // It boots in 1.5 s, longer than both its idle (1 s) and its wake_timeout (300 ms).
  await storeApp(host, {
    app: "slow",
    version: "v1",
    fixture: "slow",
    env: { SLOW_MS: "1500" },
    scale: "{ min: 0, idle: 1s, wake_timeout: 300ms }",
  });
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 60_000 });
  try {
    await waitFor("release 1 to pass and sleep", () => asleep(host.data, "slow", 1), 30_000);
    const held = await httpGetFresh(appUrl(host, "slow"), 15_000);
    assert.equal(held.status, 503, "the held request is answered at wake_timeout, before the boot ends");
    const woken = await waitFor(
      "the wake to finish",
      () => eventsOf(host.data, "slow", "instance.woken")[0],
      15_000,
    );
    const stopped = await waitFor(
      "the woken instance to stop after idle",
      () => eventsOf(host.data, "slow", "instance.idle_stopped")[0],
      15_000,
    );
    const servedMs = Date.parse(stopped.time) - Date.parse(woken.time);
    assert.ok(servedMs >= 950, `ready for ${servedMs} ms before its idle stop; idle is 1 s`);
  } finally {
    await agent.stop();
  }
});

test("skiff stop then skiff start of a sleeping app, both beside the running agent, puts it back on its front door at the next pass", async () => {
  const host = makeAppsHost();
  await storeApp(host, { app: "hello", version: "v1", scale: "{ min: 0, idle: 30s }" });
  // A minute between polls: the pass after the start is not one that checks every app anyway.
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 60_000 });
  try {
    await waitFor("release 1 to pass and sleep", () => asleep(host.data, "hello", 1), 30_000);
    await agent.reconcileNow();
    // As `skiff stop --data` and `skiff start --data` do it: the stop closes the app's public address.
    await stopApp(host.data, "hello");
    await assert.rejects(httpGetFresh(appUrl(host, "hello"), 2000), "closed while stopped");
    await startApp(host.data, "hello");
    await agent.reconcileNow();
    await agent.settled("hello");
    assert.equal((await httpGetFresh(appUrl(host, "hello"), 15_000)).body, "v1 hello\n");
  } finally {
    await agent.stop();
  }
});

test("a connection that comes while the sleeping app's worker is busy (a bad release deploying) is woken as soon as that task ends, not at the next reading of the door", async () => {
  const host = makeAppsHost();
  const scale = "{ min: 0, idle: 1h, wake_timeout: 30s }";
  await storeApp(host, { app: "hello", version: "v1", scale });
  // The door's counts are read at the start only: a wake request the agent let go is never taken up again.
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 300, scaleTickMs: 3_600_000 });
  try {
    await waitFor("release 1 to pass and sleep", () => asleep(host.data, "hello", 1), 30_000);
    // Release 2 boots and never serves: its deploy holds the worker until its 10 s health timeout.
    await storeApp(host, { app: "hello", version: "v2", fixture: "hang", scale });
    await waitFor("release 2 to boot", () =>
      eventsOf(host.data, "hello", "instance.started").find((e) => e.release === 2),
    );
    const answer = httpGetFresh(appUrl(host, "hello"), 40_000);
    const failed = await waitFor(
      "release 2 to fail",
      () => eventsOf(host.data, "hello", "deploy.failed").find((e) => e.release === 2),
      30_000,
    );
    const answered = await answer;
    assert.equal(answered.status, 200, "held until the deploy failed, then the last good release woke");
    assert.equal(answered.body, "v1 hello\n");
    await agent.settled("hello");
    const woken = eventsOf(host.data, "hello", "instance.woken");
    assert.equal(woken.length, 1);
    assert.ok(Date.parse(woken[0]!.time) >= Date.parse(failed.time), "woken after the deploy ended");
  } finally {
    await agent.stop();
  }
});
