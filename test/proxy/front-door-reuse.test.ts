import assert from "node:assert/strict";
import { request } from "node:http";
import { createServer, type Socket } from "node:net";
import { describe, it } from "node:test";
import type { Address } from "../../src/proxy/index.js";
import { httpGetFresh } from "../support/http.js";
import { engineRuns, getWithHost, onCleanup, startDoor, until, watchEvents } from "./front-door-support.js";

/**
 * An HTTP/1.1 instance on raw sockets that keeps its connections open and counts them. With
 * `dropSecond`, the second request on a connection is dropped unanswered (the connection closed),
 * as when an instance's keep-alive timeout ends just as a proxy reuses the connection.
 */
async function keptBackend(options: { dropSecond?: boolean } = {}): Promise<{
  address: Address;
  connections: () => number;
  open: () => number;
}> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let seen = "";
    let requests = 0;
    socket.on("data", (chunk: Buffer) => {
      seen += chunk.toString("latin1");
      // Requests here carry no body, or a 1-byte one (Content-Length: 1) right after the head.
      for (let end = seen.indexOf("\r\n\r\n"); end !== -1; end = seen.indexOf("\r\n\r\n")) {
        const body = /content-length: *1\r\n/i.test(seen.slice(0, end)) ? 1 : 0;
        if (seen.length < end + 4 + body) return;
        seen = seen.slice(end + 4 + body);
        requests += 1;
        if (options.dropSecond === true && requests === 2) {
          socket.destroy();
          return;
        }
        const answer = `${connections}\r\n`;
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${answer.length}\r\n\r\n${answer}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const bound = server.address();
  return {
    address: { host: "127.0.0.1", port: typeof bound === "object" && bound !== null ? bound.port : 0 },
    connections: () => connections,
    open: () => sockets.size,
  };
}

/** POST of one byte over a new connection with a Host header; resolves with the status. */
function postWithHost(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method: "POST", path: "/", headers: { host }, agent: false, timeout: 5000 },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("timeout", () => req.destroy(new Error("no answer within 5000ms")));
    req.on("error", reject);
    req.end("x");
  });
}

describe("front door (haproxy): connections to instances are kept and reused", () => {
  it("serves clients that each open their own connection over one connection to the instance, which never keeps the app awake", async (t) => {
    if (!(await engineRuns(t, "haproxy"))) return;
    const first = await keptBackend();
    const second = await keptBackend();
    const { door, front } = await startDoor("haproxy");
    const spec = (id: string, address: Address) => ({
      publish: null,
      hostname: "kept.localhost",
      backends: [{ id, address, state: "ready" as const }],
    });
    await door.setApp("kept", spec("kept-1-aaaa", first.address));
    for (let i = 0; i < 3; i += 1) assert.equal((await getWithHost(front, "kept.localhost")).status, 200);
    assert.equal(first.connections(), 1, "three clients, one connection to the instance");
    // A backend the door adds to a running HAProxy (its runtime API) is pooled the same way.
    await door.setApp("kept", spec("kept-2-bbbb", second.address));
    for (let i = 0; i < 3; i += 1) assert.equal((await getWithHost(front, "kept.localhost")).status, 200);
    assert.equal(second.connections(), 1, "a backend added at runtime keeps its connection too");
    assert.equal(second.open(), 1, "the connection is still open at the instance");
    await until(
      async () => {
        const app = await door.app("kept");
        return app?.open === 0 && app.idleSince !== null;
      },
      5000,
      "the app counted idle while its kept connection is open",
    );
    assert.equal(second.open(), 1);
  });

  it("a publish port that speaks HTTP (protocol: http) holds a request while the app wakes, then keeps one connection to the instance for every client", async (t) => {
    if (!(await engineRuns(t, "haproxy"))) return;
    const instance = await keptBackend();
    const { door } = await startDoor("haproxy");
    const watch = watchEvents(door);
    const cold = { min: 0, wakeTimeoutMs: 10_000 };
    const status = await door.setApp("web", {
      publish: "127.0.0.1:0",
      hostname: null,
      protocol: "http",
      scale: cold,
    });
    const first = httpGetFresh(`http://${status.publish}/`);
    await watch.next((e) => e.type === "wake" && e.app === "web");
    await door.setApp("web", {
      publish: status.publish,
      hostname: null,
      protocol: "http",
      scale: cold,
      backends: [{ id: "web-1-aaaa", address: instance.address, state: "ready" }],
    });
    assert.equal((await first).status, 200, "the held request is answered");
    const held = instance.connections();
    for (let i = 0; i < 3; i += 1)
      assert.equal((await httpGetFresh(`http://${status.publish}/`)).status, 200);
    assert.equal(instance.connections(), held + 1, "three clients, one more connection to the instance");
    await until(
      async () => (await door.app("web"))?.idleSince !== null,
      5000,
      "the app counted idle while its kept connection is open",
    );
  });

  it("sends a GET again on a new connection when the instance closed a kept one unanswered; a POST it answers with 502", async (t) => {
    if (!(await engineRuns(t, "haproxy"))) return;
    const instance = await keptBackend({ dropSecond: true });
    const { door, front } = await startDoor("haproxy");
    await door.setApp("flaky", {
      publish: null,
      hostname: "flaky.localhost",
      backends: [{ id: "flaky-1-aaaa", address: instance.address, state: "ready" }],
    });
    assert.equal((await getWithHost(front, "flaky.localhost")).status, 200);
    assert.equal(instance.connections(), 1);
    const again = await getWithHost(front, "flaky.localhost");
    assert.deepEqual(again, { status: 200, body: "2\r\n" }, "retried on a second connection");
    assert.equal(await postWithHost(front, "flaky.localhost"), 502, "a POST is never sent twice");
    assert.equal(instance.connections(), 2, "the POST went out on the kept connection, once");
  });
});
