import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  echoBackend,
  httpBackend,
  ENGINES,
  engineRuns,
  getWithHost,
  portOf,
  sendRaw,
  startDoor,
  until,
  watchEvents,
} from "./front-door-support.js";
import { httpGetFresh } from "../support/http.js";

const cold = { min: 0, wakeTimeoutMs: 10_000 };

for (const engine of ENGINES) {
  describe(`front door holding and waking (${engine})`, () => {
    it("holds the first request of an app with no backend, asks to wake it, and forwards it once a backend is ready", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const { door, front } = await startDoor(engine);
      const watch = watchEvents(door);
      const status = await door.setApp("cold", {
        publish: "127.0.0.1:0",
        hostname: "cold.localhost",
        scale: cold,
      });
      const byHost = getWithHost(front, "cold.localhost");
      // The first held connection asks at once: a cold start waits on it.
      const wake = await watch.next((e) => e.type === "wake" && e.app === "cold");
      assert.equal(wake.type === "wake" && wake.held, 1);
      const byPort = httpGetFresh(`http://${status.publish}/`);
      await until(async () => (await door.app("cold"))?.held === 2, 5000, "two held");
      const a = await httpBackend("A");
      await door.setApp("cold", {
        publish: status.publish,
        hostname: "cold.localhost",
        scale: cold,
        backends: [{ id: "cold-1-aaaa", address: a.address, state: "ready" }],
      });
      assert.deepEqual(await byHost, { status: 200, body: "A\n" });
      assert.deepEqual(await byPort, { status: 200, body: "A\n" });
      assert.equal(a.count(), 2, "no first request lost");
      await watch.next((e) => e.type === "forwarded" && e.app === "cold");
    });

    it("answers 50 connections held at once, and the wake request says how many wait", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const { door } = await startDoor(engine);
      const watch = watchEvents(door);
      const status = await door.setApp("burst", { publish: "127.0.0.1:0", scale: cold });
      const answers = Array.from({ length: 50 }, () => httpGetFresh(`http://${status.publish}/`, 15_000));
      await until(async () => (await door.app("burst"))?.held === 50, 10_000, "50 held");
      await watch.next((e) => e.type === "wake" && e.app === "burst" && e.held === 50, 5000);
      const a = await httpBackend("A");
      await door.setApp("burst", {
        publish: status.publish,
        scale: cold,
        backends: [{ id: "burst-1-aaaa", address: a.address, state: "ready" }],
      });
      const results = await Promise.all(answers);
      assert.equal(results.filter((r) => r.status === 200 && r.body === "A\n").length, 50);
      assert.equal(a.count(), 50);
    });

    it("answers 503 to HTTP after the wake timeout, and closes raw TCP without a byte, within the timeout", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const { door, front } = await startDoor(engine);
      const watch = watchEvents(door);
      const wakeTimeoutMs = 400;
      const status = await door.setApp("sleepy", {
        publish: "127.0.0.1:0",
        hostname: "sleepy.localhost",
        scale: { min: 0, wakeTimeoutMs },
      });
      const started = Date.now();
      const [byHost, byPortHttp, raw] = await Promise.all([
        getWithHost(front, "sleepy.localhost"),
        httpGetFresh(`http://${status.publish}/`),
        sendRaw(portOf(status.publish), "\x00\x01 not http"),
      ]);
      const elapsed = Date.now() - started;
      assert.equal(byHost.status, 503);
      assert.equal(byPortHttp.status, 503);
      assert.equal(raw.received, "", "raw TCP gets no bytes");
      // The door resets; HAProxy in front of it closes the client's side cleanly.
      if (engine === "node") assert.equal(raw.ended, "reset");
      assert.ok(raw.ms >= wakeTimeoutMs - 20, `held ${raw.ms}ms`);
      assert.ok(elapsed < wakeTimeoutMs + 2000, `answered after ${elapsed}ms`);
      await watch.next((e) => e.type === "wake-timeout" && e.app === "sleepy");
      const counters = (await door.app("sleepy"))!.counters;
      assert.equal(counters.errors.unavailable, 2);
      assert.equal(counters.errors.resets, 1);
    });

    it("answers held connections at once when the agent says the wake failed", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const { door, front } = await startDoor(engine);
      await door.setApp("broken", { hostname: "broken.localhost", scale: { min: 0, wakeTimeoutMs: 30_000 } });
      const started = Date.now();
      const answer = getWithHost(front, "broken.localhost", { timeoutMs: 10_000 });
      await until(async () => (await door.app("broken"))?.held === 1, 5000, "held");
      assert.equal(await door.wakeFailed("broken", "crashed on boot"), 1);
      assert.equal((await answer).status, 503);
      assert.ok(Date.now() - started < 10_000, "well before the 30 s wake timeout");
    });

    it("holds raw TCP bytes sent before the backend is ready and passes them on", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const { door } = await startDoor(engine);
      const status = await door.setApp("echo", { publish: "127.0.0.1:0", scale: cold });
      const answer = sendRaw(portOf(status.publish), "ping", { endAfterWrite: true, timeoutMs: 10_000 });
      await until(async () => (await door.app("echo"))?.held === 1, 5000, "held");
      const echo = await echoBackend("E");
      await door.setApp("echo", {
        publish: status.publish,
        scale: cold,
        backends: [{ id: "echo-1-eeee", address: echo.address, state: "ready" }],
      });
      assert.equal((await answer).received, "E:pingE:bye", "the early bytes and the half-close arrive");
    });
  });
}
