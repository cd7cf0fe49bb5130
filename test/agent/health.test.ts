import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { test } from "node:test";
import { checkHealth } from "../../src/agent/index.js";
import { HealthSchema } from "../../src/config/index.js";
import { isSkiffError } from "../../src/errors/index.js";
import { freePort } from "../support/http.js";

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
}

test("http: retries through refused connections and 503 until a 2xx, reporting each probe", async (t) => {
  let calls = 0;
  const server = createServer((_req, res) => {
    calls += 1;
    res.writeHead(calls < 3 ? 503 : 200).end();
  });
  const port = await freePort();
  const probes: string[] = [];
  const checking = checkHealth({
    address: { host: "127.0.0.1", port },
    health: HealthSchema.parse({ http: "/health", timeout: "5s", interval: "50ms" }),
    onProbe: (p) => probes.push(p.reason),
  });
  setTimeout(() => server.listen(port, "127.0.0.1"), 200);
  t.after(() => server.close());
  const result = await checking;
  assert.equal(probes[0], "ECONNREFUSED");
  assert.deepEqual(probes.slice(-3), ["status 503", "status 503", "status 200"]);
  assert.equal(result.attempts, probes.length);
});

test("http: a server that never answers 2xx fails with ERR_SKIFF_HEALTH_TIMEOUT", async (t) => {
  const server = createServer((_req, res) => res.writeHead(500).end());
  const port = await listen(server);
  t.after(() => server.close());
  const started = Date.now();
  await assert.rejects(
    checkHealth({
      address: { host: "127.0.0.1", port },
      health: HealthSchema.parse({ timeout: "600ms", interval: "100ms" }),
    }),
    (e: unknown) =>
      isSkiffError(e) && e.code === "ERR_SKIFF_HEALTH_TIMEOUT" && e.data?.lastProbe === "status 500",
  );
  assert.ok(Date.now() - started < 3000);
});

test("a probe that hangs times out with reason timeout; attempts caps the probes", async (t) => {
  const server = createServer(() => undefined); // accepts, never answers
  const port = await listen(server);
  t.after(() => server.closeAllConnections());
  t.after(() => server.close());
  const probes: string[] = [];
  await assert.rejects(
    checkHealth({
      address: { host: "127.0.0.1", port },
      health: HealthSchema.parse({ timeout: "1s", interval: "10ms", attempts: 1 }),
      onProbe: (p) => probes.push(p.reason),
    }),
    (e: unknown) => isSkiffError(e) && e.code === "ERR_SKIFF_HEALTH_TIMEOUT",
  );
  assert.deepEqual(probes, ["timeout"]);
});

test("tcp: a connect is enough", async (t) => {
  const server = createServer((_req, res) => res.writeHead(500).end());
  const port = await listen(server);
  t.after(() => server.close());
  const probes: string[] = [];
  await checkHealth({
    address: { host: "127.0.0.1", port },
    health: HealthSchema.parse({ tcp: true, timeout: "2s" }),
    onProbe: (p) => probes.push(p.reason),
  });
  assert.deepEqual(probes, ["connected"]);
});

test("an instance that exited stops the check early with ERR_SKIFF_INSTANCE_EXITED", async () => {
  const port = await freePort();
  const started = Date.now();
  let asked = 0;
  await assert.rejects(
    checkHealth({
      address: { host: "127.0.0.1", port },
      health: HealthSchema.parse({ timeout: "20s", interval: "50ms" }),
      inspect: () => Promise.resolve(++asked >= 2 ? "exited" : "running"),
    }),
    (e: unknown) => isSkiffError(e) && e.code === "ERR_SKIFF_INSTANCE_EXITED",
  );
  assert.ok(Date.now() - started < 2000);
});
