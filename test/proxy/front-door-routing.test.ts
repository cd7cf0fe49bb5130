import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAlive } from "../../src/process/index.js";
import {
  httpBackend,
  ENGINES,
  engineRuns,
  getWithHost,
  portOf,
  sendRaw,
  startDoor,
} from "./front-door-support.js";
import { getFresh } from "./backends.js";

for (const engine of ENGINES) {
  describe(`front door routing (${engine})`, () => {
    it("routes two apps by Host on one shared listener (case and port ignored)", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const [a, b] = [await httpBackend("A"), await httpBackend("B")];
      const { door, front } = await startDoor(engine);
      await door.setApp("alpha", {
        hostname: "alpha.localhost",
        backends: [{ id: "alpha-1-aaaa", address: a.address, state: "ready" }],
      });
      await door.setApp("beta", {
        hostname: "beta.localhost",
        backends: [{ id: "beta-1-bbbb", address: b.address, state: "ready" }],
      });
      assert.deepEqual(await getWithHost(front, "alpha.localhost"), { status: 200, body: "A\n" });
      assert.deepEqual(await getWithHost(front, `BETA.localhost:${front}`), { status: 200, body: "B\n" });
      assert.deepEqual(await getWithHost(front, "alpha.localhost."), { status: 200, body: "A\n" });
      assert.equal(a.count(), 2);
      assert.equal(b.count(), 1);
    });

    it("answers an unknown host 404, naming the apps only with the index on", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const a = await httpBackend("A");
      const { door, front } = await startDoor(engine);
      await door.setApp("alpha", {
        hostname: "alpha.localhost",
        backends: [{ id: "alpha-1-aaaa", address: a.address, state: "ready" }],
      });
      const hidden = await getWithHost(front, "nope.localhost");
      assert.equal(hidden.status, 404);
      assert.match(hidden.body, /no app is called nope\.localhost/);
      assert.doesNotMatch(hidden.body, /alpha\.localhost/);
      await door.setSettings({ frontIndex: true });
      const shown = await getWithHost(front, "nope.localhost");
      assert.equal(shown.status, 404);
      assert.match(shown.body, new RegExp(`href="http://alpha\\.localhost:${front}/"`));
      assert.equal(a.count(), 0, "an unknown host never reaches an app");
    });

    it("serves the publish ports of several apps in one process and moves the shared listener without dropping them", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const [a, b] = [await httpBackend("A"), await httpBackend("B")];
      const { door } = await startDoor(engine);
      const alpha = await door.setApp("alpha", {
        publish: "127.0.0.1:0",
        backends: [{ id: "alpha-1-aaaa", address: a.address, state: "ready" }],
      });
      const beta = await door.setApp("beta", {
        publish: "127.0.0.1:0",
        hostname: "beta.localhost",
        backends: [{ id: "beta-1-bbbb", address: b.address, state: "ready" }],
      });
      assert.equal(await getFresh(`http://${alpha.publish}/`), "A\n");
      assert.equal(await getFresh(`http://${beta.publish}/`), "B\n");
      const moved = await door.setSettings({ front: "127.0.0.1:0" });
      assert.equal(await getFresh(`http://${alpha.publish}/`), "A\n", "the other apps keep their ports");
      assert.deepEqual(await getWithHost(portOf(moved.front), "beta.localhost"), {
        status: 200,
        body: "B\n",
      });
      const status = await door.status();
      assert.equal(status.apps.alpha?.publish, alpha.publish);
      assert.equal(door.pid, status.pid, "one process for every app");
    });

    it("refuses a hostname or address another app has, with ERR_SKIFF_FRONT_CONFLICT", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const { door } = await startDoor(engine);
      const alpha = await door.setApp("alpha", { publish: "127.0.0.1:0", hostname: "alpha.localhost" });
      await assert.rejects(door.setApp("beta", { hostname: "alpha.localhost" }), {
        code: "ERR_SKIFF_FRONT_CONFLICT",
      });
      await assert.rejects(door.setApp("beta", { publish: alpha.publish }), {
        code: "ERR_SKIFF_FRONT_CONFLICT",
      });
      assert.equal((await door.status()).apps.beta, undefined, "a refused app is not half set");
    });

    it("answers hostile clients (slow head, garbage, oversized head, early close) and keeps serving others", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const a = await httpBackend("A");
      const { door, front } = await startDoor(engine);
      await door.setApp("alpha", {
        hostname: "alpha.localhost",
        backends: [{ id: "alpha-1-aaaa", address: a.address, state: "ready" }],
      });
      const slow = sendRaw(front, "GET / HTTP/1.1\r\nHost: alpha.lo", { timeoutMs: 15_000 });
      const garbage = await sendRaw(front, "\x16\x03\x01 garbage that is not http\r\n\r\n");
      assert.match(garbage.received, /^HTTP\/1\.[01] 400 /);
      const big = await sendRaw(
        front,
        `GET / HTTP/1.1\r\nHost: alpha.localhost\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`,
      );
      assert.match(big.received, /^HTTP\/1\.[01] (400|431) /);
      for (const early of ["GET / HT", ""])
        assert.doesNotMatch((await sendRaw(front, early, { endAfterWrite: true })).received, / 200 /);
      assert.deepEqual(
        await getWithHost(front, "alpha.localhost"),
        { status: 200, body: "A\n" },
        "served while a slow client waits",
      );
      const slowAnswer = await slow;
      assert.match(slowAnswer.received, /^HTTP\/1\.[01] 408 /, "a head that never ends gets 408");
      assert.equal(a.count(), 1, "only the good request reached the app");
      assert.ok(isAlive(door.pid));
      assert.deepEqual(await getWithHost(front, "alpha.localhost"), { status: 200, body: "A\n" });
    });
  });
}
