import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createServer as createNetServer, type Socket } from "node:net";
import { describe, it } from "node:test";
import type { Address } from "../../src/proxy/index.js";
import { connectRaw, type RawClient } from "./backends.js";
import {
  echoBackend,
  httpBackend,
  ENGINES,
  engineRuns,
  getWithHost,
  onCleanup,
  portOf,
  sendRaw,
  startDoor,
  until,
} from "./front-door-support.js";
import { freePort, httpGetFresh } from "../support/http.js";

async function open(address: Address): Promise<{ client: RawClient; on: string }> {
  const client = await connectRaw(address);
  onCleanup(() => void client.socket.destroy());
  const answer = await client.exchange("x");
  return { client, on: answer.split(":")[0]! };
}

/** An HTTP backend that answers with the status its path names: /500 → 500. */
async function statusBackend(): Promise<Address> {
  const server = createServer((req, res) => {
    res.statusCode = Number(req.url?.slice(1)) || 200;
    res.end("done\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const bound = server.address();
  return { host: "127.0.0.1", port: typeof bound === "object" && bound !== null ? bound.port : 0 };
}

for (const engine of ENGINES) {
  describe(`front door replicas, drain and counters (${engine})`, () => {
    it("sends each new connection to the ready replica with the fewest open connections", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const [a, b] = [await echoBackend("A"), await echoBackend("B")];
      const { door } = await startDoor(engine);
      const status = await door.setApp("twin", {
        publish: "127.0.0.1:0",
        backends: [
          { id: "twin-1-aaaa", address: a.address, state: "ready" },
          { id: "twin-1-bbbb", address: b.address, state: "ready" },
        ],
      });
      const publish = { host: "127.0.0.1", port: portOf(status.publish) };
      const first = [await open(publish), await open(publish), await open(publish), await open(publish)];
      assert.deepEqual(first.map((c) => c.on).sort(), ["A", "A", "B", "B"], "equal load: spread evenly");
      for (const c of first.filter((c) => c.on === "A")) c.client.socket.end();
      await until(() => a.sockets.size === 0, 5000, "A's connections closed");
      await until(
        async () => (await door.app("twin"))?.backends.find((x) => x.id === "twin-1-aaaa")?.open === 0,
      );
      const next = [await open(publish), await open(publish)];
      assert.deepEqual(
        next.map((c) => c.on),
        ["A", "A"],
        "both go to the replica with none open",
      );
      const twin = (await door.app("twin"))!;
      assert.deepEqual(
        twin.backends.map((x) => [x.id, x.open]),
        [
          ["twin-1-aaaa", 2],
          ["twin-1-bbbb", 2],
        ],
      );
      assert.equal(twin.open, 4);
      assert.ok(twin.backends.every((x) => x.lastActivity !== null));
      assert.equal(twin.idleSince, null, "an app with open connections is not idle");
    });

    it("drains a backend: no new connections, open ones may finish, the rest are cut at the timeout", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const [a, b] = [await echoBackend("A"), await echoBackend("B")];
      const { door } = await startDoor(engine);
      const spec = (aState: "ready" | "draining") => ({
        publish: "127.0.0.1:0",
        backends: [
          { id: "app-1-aaaa", address: a.address, state: aState },
          { id: "app-2-bbbb", address: b.address, state: "ready" as const },
        ],
      });
      const status = await door.setApp("app", {
        ...spec("ready"),
        backends: spec("ready").backends.slice(0, 1),
      });
      const publish = { host: "127.0.0.1", port: portOf(status.publish) };
      const [staying, finishing] = [await open(publish), await open(publish)];
      assert.equal(staying.on, "A");
      await door.setApp("app", { ...spec("draining"), publish: status.publish });
      assert.equal((await open(publish)).on, "B", "a draining backend takes no new connection");
      const draining = door.drain("app", "app-1-aaaa", 600);
      finishing.client.socket.end();
      const result = await draining;
      assert.deepEqual(result, { drained: false, closed: 1 }, "the one still open is cut");
      await staying.client.closed();
    });

    it("drain reports drained when the last connection ends by itself", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const a = await echoBackend("A");
      const { door } = await startDoor(engine);
      const status = await door.setApp("app", {
        publish: "127.0.0.1:0",
        backends: [{ id: "app-1-aaaa", address: a.address, state: "ready" }],
      });
      const c = await open({ host: "127.0.0.1", port: portOf(status.publish) });
      const draining = door.drain("app", "app-1-aaaa", 5000);
      setTimeout(() => c.client.socket.end(), 100);
      assert.deepEqual(await draining, { drained: true, closed: 0 });
    });

    it("counts connections, requests, bytes, 5xx, connect failures and first-byte times", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const backend = await statusBackend();
      const { door, front } = await startDoor(engine);
      const status = await door.setApp("counted", {
        publish: "127.0.0.1:0",
        hostname: "counted.localhost",
        scale: { min: 1, wakeTimeoutMs: 500 },
        backends: [{ id: "counted-1-cccc", address: backend, state: "ready" }],
      });
      for (const path of ["/200", "/200", "/500"]) await httpGetFresh(`http://${status.publish}${path}`);
      for (const path of ["/200", "/503"]) await getWithHost(front, "counted.localhost", { path });
      const counted = (await door.app("counted"))!.counters;
      assert.equal(counted.connections, 5);
      assert.ok(counted.bytesIn > 5 * 30 && counted.bytesOut > 5 * 40, JSON.stringify(counted));
      if (engine === "node") {
        assert.equal(counted.errors.status5xx, 2);
        assert.equal(counted.requests, 5);
        assert.equal(counted.ttfbMs.samples, 5);
        assert.ok(counted.ttfbMs.p50 !== null && counted.ttfbMs.p95! >= counted.ttfbMs.p50);
      } else {
        // HAProxy sees statuses on the shared listener only: its publish ports are layer 4.
        assert.equal(counted.requests, 2);
        assert.equal(counted.errors.status5xx, 1);
        assert.ok(typeof counted.ttfbMs.avgMs === "number");
      }
      const gone = await freePort();
      await door.setApp("counted", {
        publish: status.publish,
        hostname: "counted.localhost",
        scale: { min: 1, wakeTimeoutMs: 500 },
        backends: [{ id: "counted-2-dddd", address: { host: "127.0.0.1", port: gone }, state: "ready" }],
      });
      const refused = await sendRaw(portOf(status.publish), "GET / HTTP/1.0\r\n\r\n");
      assert.doesNotMatch(refused.received, / 200 /);
      assert.ok((await door.app("counted"))!.counters.errors.connect >= 1);
    });
  });
}

/** A backend that reads a request and never answers; the test closes its connections when it wants. */
async function silentBackend(): Promise<{ address: Address; received: () => number; cut: () => void }> {
  const sockets = new Set<Socket>();
  let received = 0;
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.once("data", () => (received += 1));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const bound = server.address();
  return {
    address: { host: "127.0.0.1", port: typeof bound === "object" && bound !== null ? bound.port : 0 },
    received: () => received,
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

for (const engine of ENGINES) {
  describe(`front door replay (${engine})`, () => {
    it("with replay, sends a request again to the new backend when the old one closed without answering", async (t) => {
      if (!(await engineRuns(t, engine))) return;
      const dying = await silentBackend();
      const next = await httpBackend("B");
      const { door, front } = await startDoor(engine);
      const spec = (backends: { id: string; address: Address; state: "ready" }[]) => ({
        publish: "127.0.0.1:0",
        hostname: "replay.localhost",
        replay: true,
        backends,
      });
      const status = await door.setApp(
        "replay",
        spec([{ id: "replay-1-aaaa", address: dying.address, state: "ready" }]),
      );
      const answers = [httpGetFresh(`http://${status.publish}/`), getWithHost(front, "replay.localhost")];
      await until(() => dying.received() === 2, 5000, "both requests reached the dying backend");
      await door.setApp("replay", {
        ...spec([{ id: "replay-2-bbbb", address: next.address, state: "ready" }]),
        publish: status.publish,
      });
      dying.cut();
      for (const answer of await Promise.all(answers)) assert.deepEqual(answer, { status: 200, body: "B\n" });
    });
  });
}
