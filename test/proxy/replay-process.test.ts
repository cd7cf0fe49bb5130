import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, describe, it } from "node:test";
import { ensureProxy, stopProxy, type Address } from "../../src/proxy/index.js";
import { freePort } from "../support/http.js";
import { tempDir } from "../support/temp.js";
import { connectRaw, startEchoBackend } from "./backends.js";

const cleanups: (() => Promise<unknown>)[] = [];
// The proxy is stopped while its directory exists: tempDir removes it only when the file exits.
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});
const root = tempDir("skiff-replay-");

/** Reads what arrives, then closes without answering; counts its connections. */
async function startSilentBackend(): Promise<{ address: Address; count: () => number }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
    socket.once("data", () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const bound = server.address();
  if (bound === null || typeof bound === "string") throw new Error("not listening");
  return { address: { host: "127.0.0.1", port: bound.port }, count: () => count };
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs}ms`);
    await sleep(10);
  }
}

describe("proxy process: replay setting", () => {
  it("starts with --replay, and an adopted proxy is told a changed setting without a restart", async () => {
    const silent = await startSilentBackend();
    const good = await startEchoBackend("B");
    cleanups.push(good.close);
    const dir = join(root, "replay");
    cleanups.push(() => stopProxy(dir));
    const listen = `127.0.0.1:${await freePort()}`;
    const proxy = await ensureProxy({ app: "hello", listen, dir, backend: silent.address, replay: true });
    assert.equal((await proxy.status()).replay, true);

    const client = await connectRaw(proxy.listen);
    const answer = client.exchange("GET", 5000);
    await until(() => silent.count() >= 1);
    await proxy.setBackend(good.address);
    assert.equal(await answer, "B:GET");
    client.socket.destroy();

    const adopted = await ensureProxy({ app: "hello", listen, dir, backend: silent.address, replay: false });
    assert.equal(adopted.pid, proxy.pid);
    assert.equal((await adopted.status()).replay, false);
    const second = await connectRaw(adopted.listen);
    second.socket.write("GET");
    await until(() => silent.count() >= 2);
    await adopted.setBackend(good.address);
    assert.equal(await second.closed(), "");
    assert.equal(good.count(), 1);
  });
});
