import assert from "node:assert/strict";
import { test } from "node:test";
import { readState, readStatus, startAgent } from "../../src/agent/index.js";
import {
  connectFrontDoor,
  frontDoorDir,
  openRestartJournal,
  readFrontRecord,
} from "../../src/proxy/index.js";
import { freePort, freePortOutsideEphemeral, httpGetFresh, waitForBody } from "../support/http.js";
import { readHaproxyMaster, stopFrontDoorNow } from "../support/stop-host.js";
import { requireTier } from "../support/tiers.js";
import { appUrl, makeAppsHost, storeApp, type AppsHost } from "./apps-host.js";
import { getByHost } from "./scale-host.js";
import { readEvents, waitFor } from "./swap-host.js";
import type { SkiffEvent } from "../../src/events/index.js";

async function storeThree(host: AppsHost): Promise<void> {
  // Outside the ephemeral range: once the door is killed, no other test's server can take it.
  host.publish.set("three", `127.0.0.1:${await freePortOutsideEphemeral()}`);
  await storeApp(host, { app: "one", version: "one1", hostname: "one.localhost", publish: false });
  await storeApp(host, { app: "two", version: "two1", hostname: "two.localhost", publish: false });
  await storeApp(host, { app: "three", version: "three1" });
}

/** Polls until every app answers through the door; resolves with how long that took. */
async function everyAppAnswers(host: AppsHost, front: number, timeoutMs: number): Promise<number> {
  const began = Date.now();
  const deadline = began + timeoutMs;
  const answers = async (): Promise<boolean> => {
    const results = await Promise.all([
      getByHost(front, "one.localhost", 500).catch(() => undefined),
      getByHost(front, "two.localhost", 500).catch(() => undefined),
      httpGetFresh(appUrl(host, "three"), 500).catch(() => undefined),
    ]);
    return (
      results[0]?.body === "one1 hello\n" &&
      results[1]?.body === "two1 hello\n" &&
      results[2]?.body === "three1 hello\n"
    );
  };
  while (Date.now() < deadline) {
    if (await answers()) return Date.now() - began;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`not every app answered within ${timeoutMs} ms`);
}

test("two apps by hostname on one shared listener, and skiff status shows their URLs", async () => {
  const host = makeAppsHost();
  await storeThree(host);
  const front = await freePort();
  await startAgent({
    repo: host.repo,
    data: host.data,
    pollMs: 60_000,
    once: true,
    front: `127.0.0.1:${front}`,
  });
  assert.deepEqual(await getByHost(front, "one.localhost"), { status: 200, body: "one1 hello\n" });
  assert.deepEqual(await getByHost(front, "TWO.localhost."), { status: 200, body: "two1 hello\n" });
  const unknown = await getByHost(front, "nobody.localhost");
  assert.equal(unknown.status, 404);
  assert.ok(!unknown.body.includes("one.localhost"), "no index without --front-index");
  const urls = Object.fromEntries((await readStatus(host.data)).map((s) => [s.app, s.url]));
  assert.equal(urls.one, `http://one.localhost:${front}`);
  assert.equal(urls.two, `http://two.localhost:${front}`);
  assert.equal(urls.three, `http://${host.publish.get("three")}`);
  // The door outlived --once: a second agent adopts it, with --front-index now.
  await startAgent({
    repo: host.repo,
    data: host.data,
    pollMs: 60_000,
    once: true,
    front: `127.0.0.1:${front}`,
    frontIndex: true,
  });
  assert.ok((await getByHost(front, "nobody.localhost")).body.includes("two.localhost"));
});

test("an app whose publish port speaks HTTP (deploy.proxy.protocol: http) is served request by request; one speaking TCP by connection", async (t) => {
  const host = makeAppsHost();
  await storeApp(host, { app: "web", version: "web1", protocol: "http" });
  await storeApp(host, { app: "raw", version: "raw1" });
  await startAgent({ repo: host.repo, data: host.data, pollMs: 60_000, once: true });
  for (let i = 0; i < 3; i += 1) {
    assert.deepEqual(await httpGetFresh(appUrl(host, "web")), { status: 200, body: "web1 hello\n" });
    assert.deepEqual(await httpGetFresh(appUrl(host, "raw")), { status: 200, body: "raw1 hello\n" });
  }
  const dir = frontDoorDir(host.data);
  const door = connectFrontDoor(dir, readFrontRecord(dir)!.pid);
  const engine = (await door.status()).engine.name;
  const missing =
    engine === "haproxy" ? undefined : "the front door runs its own data path here (no HAProxy)";
  if (!requireTier(t, "haproxy", missing)) return;
  // HAProxy counts requests where it reads them, at layer 7 only.
  assert.equal((await door.app("web"))?.counters.requests, 3, "the door read each request");
  assert.equal((await door.app("raw"))?.counters.requests, 0, "the door carried bytes");
});

test(
  "SIGKILL of the front door: the running agent brings every app back (front.restored); otherwise the next agent start does",
  // Restoring retries until every app is served again (HAProxy's workers may hold a port a moment after their master died).
  async () => {
    const { host, front, agent } = await threeAppsServing();
    try {
      await waitForBody(appUrl(host, "three"), "three1", 30_000, { fresh: true });
      const before = readFrontRecord(frontDoorDir(host.data))!.pid;
      // The door and the HAProxy it drives, both at once: nothing is left serving.
      stopFrontDoorNow(frontDoorDir(host.data));
      const back = await everyAppAnswers(host, front, 10_000);
      const restored = await waitFor("front.restored", () =>
        readEvents(host.data).find((e) => e.type === "front.restored"),
      );
      assert.equal(restored.data?.previous, before);
      console.log(`every app answered again ${back} ms after the SIGKILL`);
    } finally {
      await agent.stop();
    }
    stopFrontDoorNow(frontDoorDir(host.data));
    await assert.rejects(getByHost(front, "one.localhost", 1000), "nothing serves without the door");
    // skiff status says what it measured: the instances run, their addresses refuse connections.
    const measured = await readStatus(host.data);
    assert.deepEqual(
      measured.map((s) => [s.app, s.status, s.reachable]).sort(),
      ["one", "three", "two"].map((app) => [app, "unreachable", false]),
    );
    await startAgent({
      repo: host.repo,
      data: host.data,
      pollMs: 60_000,
      once: true,
      front: `127.0.0.1:${front}`,
    });
    await everyAppAnswers(host, front, 1000);
  },
);

/** Three apps stored, an agent running with a shared listener, every app answering through it. */
async function threeAppsServing(): Promise<{
  host: AppsHost;
  front: number;
  agent: Awaited<ReturnType<typeof startAgent>>;
}> {
  const host = makeAppsHost();
  await storeThree(host);
  const front = await freePortOutsideEphemeral();
  const agent = await startAgent({
    repo: host.repo,
    data: host.data,
    pollMs: 60_000,
    front: `127.0.0.1:${front}`,
  });
  try {
    await everyAppAnswers(host, front, 30_000);
  } catch (error) {
    await agent.stop();
    throw error;
  }
  return { host, front, agent };
}

test("SIGKILL of the front door process alone: every app answers within 1 s (its HAProxy carries on) and the agent restores the door", async () => {
  const { host, front, agent } = await threeAppsServing();
  try {
    const before = readFrontRecord(frontDoorDir(host.data))!.pid;
    process.kill(before, "SIGKILL");
    await everyAppAnswers(host, front, 1000);
    await waitFor("front.restored", () => readEvents(host.data).find((e) => e.type === "front.restored"));
    assert.notEqual(readFrontRecord(frontDoorDir(host.data))?.pid, before);
    await everyAppAnswers(host, front, 5000);
  } finally {
    await agent.stop();
  }
});

test("an agent stopped while it brings a killed front door back stops, and the new door serves on without it", async () => {
  const { host, front, agent } = await threeAppsServing();
  const dir = frontDoorDir(host.data);
  const before = readFrontRecord(dir)!.pid;
  stopFrontDoorNow(dir);
  // The new door has written its record: the agent is adopting it and setting every app again
  // (looked for every 2 ms: the stop must land before the agent watches the new door).
  const next = await waitFor(
    "a new front door",
    () => {
      const pid = readFrontRecord(dir)?.pid;
      return pid !== undefined && pid !== before ? pid : undefined;
    },
    20_000,
    2,
  );
  let timer: NodeJS.Timeout | undefined;
  const stopped = await Promise.race([
    agent.stop().then(() => "stopped"),
    new Promise((resolve) => (timer = setTimeout(() => resolve("still stopping after 15 s"), 15_000))),
  ]);
  clearTimeout(timer);
  assert.equal(stopped, "stopped");
  assert.equal(readFrontRecord(dir)?.pid, next);
  await everyAppAnswers(host, front, 10_000);
});

test("an agent restarted with replicas adopts every instance", async () => {
  const host = makeAppsHost();
  await storeApp(host, { app: "pair", version: "v1", scale: "{ min: 2, max: 2 }" });
  await startAgent({ repo: host.repo, data: host.data, pollMs: 60_000, once: true });
  const first = readState(host.data).apps.pair!.instances;
  assert.equal(first.length, 2);
  assert.deepEqual(
    first.map((i) => i.reason),
    ["deploy", "deploy"],
  );
  const started = readEvents(host.data).filter((e) => e.type === "instance.started").length;
  await startAgent({ repo: host.repo, data: host.data, pollMs: 60_000, once: true });
  assert.deepEqual(
    readState(host.data).apps.pair!.instances.map((i) => i.id),
    first.map((i) => i.id),
  );
  assert.equal(
    readEvents(host.data).filter((e) => e.type === "instance.started").length,
    started,
    "nothing started again",
  );
  // Both replicas take connections (least connections over the ready ones).
  assert.equal((await readStatus(host.data))[0]?.instances.filter((i) => i.status === "running").length, 2);
  assert.equal((await httpGetFresh(appUrl(host, "pair"))).body, "v1 hello\n");
});

test("SIGKILL of the front door's HAProxy alone: the door starts it again and the agent says so (front.restored)", async (t) => {
  const { host, front, agent } = await threeAppsServing();
  const master = (): { pid: number } | undefined => readHaproxyMaster(frontDoorDir(host.data));
  try {
    const before = master();
    const missing =
      before === undefined ? "the front door runs its own data path here (no HAProxy)" : undefined;
    if (!requireTier(t, "haproxy", missing) || before === undefined) return;
    process.kill(before.pid, "SIGKILL");
    const restored = await waitFor("front.restored", () =>
      readEvents(host.data).find((e) => e.type === "front.restored"),
    );
    assert.equal(restored.data?.engine, "haproxy");
    assert.equal(restored.data?.previous, before.pid);
    assert.notEqual(master()?.pid, before.pid);
    await everyAppAnswers(host, front, 5000);
  } finally {
    await agent.stop();
  }
});

test("a HAProxy and a front door killed while no agent runs: the next agent reports both (front.restored) once", async (t) => {
  const { host, front, agent } = await threeAppsServing();
  await agent.stop();
  const dir = frontDoorDir(host.data);
  const master = readHaproxyMaster(dir);
  if (!requireTier(t, "haproxy", master === undefined ? "no HAProxy here" : undefined) || !master) return;
  process.kill(master.pid, "SIGKILL");
  // The door starts HAProxy again by itself; nobody watches it.
  await waitFor("a new HAProxy", () => (readHaproxyMaster(dir)?.pid !== master.pid ? true : undefined));
  // ...and writes that down for the next agent a moment after the new HAProxy's record (the door
  // is killed here once it has: a door killed in between takes the unreported restart with it).
  await waitFor("the restart in the door's journal", () =>
    openRestartJournal(dir)
      .pending()
      .some((r) => r.previous === master.pid)
      ? true
      : undefined,
  );
  const door = readFrontRecord(dir)!.pid;
  process.kill(door, "SIGKILL");
  await everyAppAnswers(host, front, 5000);
  const restored = (): SkiffEvent[] => readEvents(host.data).filter((e) => e.type === "front.restored");
  assert.deepEqual(restored(), [], "no agent ran: nothing reported yet");
  const next = await startAgent({
    repo: host.repo,
    data: host.data,
    pollMs: 60_000,
    front: `127.0.0.1:${front}`,
  });
  try {
    const both = await waitFor("two front.restored", () => (restored().length >= 2 ? restored() : undefined));
    assert.deepEqual(both.map((e) => e.data?.previous).sort(), [door, master.pid].sort());
    assert.equal(both.find((e) => e.data?.previous === master.pid)?.data?.engine, "haproxy");
  } finally {
    await next.stop();
  }
  // Reported means forgotten by the door: a later agent does not report them again.
  const again = await startAgent({
    repo: host.repo,
    data: host.data,
    pollMs: 60_000,
    front: `127.0.0.1:${front}`,
  });
  try {
    await everyAppAnswers(host, front, 5000);
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    await again.stop();
  }
  assert.equal(restored().length, 2);
});
