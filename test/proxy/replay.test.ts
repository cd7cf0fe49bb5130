import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { after, describe, it } from "node:test";
import { startTcpProxy, type Address, type TcpProxy } from "../../src/proxy/index.js";
import { connectRaw, startEchoBackend } from "./backends.js";

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface FailingBackend {
  address: Address;
  /** Bytes received, per connection. */
  received: string[];
}

/**
 * A backend that reads what the client sends and then closes without answering (like a release that
 * exits with a request in flight), or, with `answer`, sends those bytes first and then resets.
 */
async function startFailingBackend(options: {
  answer?: string;
  afterBytes: number;
}): Promise<FailingBackend> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    const index = received.push("") - 1;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
    socket.on("data", (chunk: Buffer) => {
      received[index] += chunk.toString();
      if (Buffer.byteLength(received[index] ?? "") < options.afterBytes) return;
      if (options.answer === undefined) socket.destroy();
      else socket.write(options.answer, () => socket.resetAndDestroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const bound = server.address();
  if (bound === null || typeof bound === "string") throw new Error("not listening");
  return { address: { host: "127.0.0.1", port: bound.port }, received };
}

async function echo(name: string): Promise<Awaited<ReturnType<typeof startEchoBackend>>> {
  const backend = await startEchoBackend(name);
  cleanups.push(backend.close);
  return backend;
}

async function proxyTo(backend: Address, options: { replay: boolean; limit?: number }): Promise<TcpProxy> {
  const proxy = await startTcpProxy({
    listen: { host: "127.0.0.1", port: 0 },
    backend,
    holdMs: 3000,
    replay: options.replay,
    replayLimitBytes: options.limit,
  });
  cleanups.push(() => proxy.close());
  return proxy;
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs}ms`);
    await sleep(10);
  }
}

const REQUEST = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

describe("tcp proxy: replay (deploy.proxy.replay)", () => {
  it("replays the exact bytes to the backend switched to when the first one closed without answering", async () => {
    const bad = await startFailingBackend({ afterBytes: REQUEST.length });
    const good = await echo("B");
    const proxy = await proxyTo(bad.address, { replay: true });
    const client = await connectRaw(proxy.listen);
    const answer = client.exchange(REQUEST, 3000);
    // The bad backend keeps taking the replay and closing until the agent switches.
    await until(() => bad.received.length >= 2);
    proxy.setBackend(good.address);
    assert.equal(await answer, `B:${REQUEST}`);
    assert.ok(bad.received.every((bytes) => bytes === REQUEST));
    assert.equal(good.count(), 1);
    client.socket.destroy();
  });

  it("replays bytes the client sent while the replay was connecting, and its half-close", async () => {
    const bad = await startFailingBackend({ afterBytes: 3 });
    const good = await echo("B");
    const proxy = await proxyTo(bad.address, { replay: true });
    const client = await connectRaw(proxy.listen);
    client.socket.write("one");
    await until(() => bad.received.length >= 1);
    client.socket.write("two");
    client.socket.end();
    await sleep(50);
    proxy.setBackend(good.address);
    const received = await client.closed();
    // The echo backend may see the bytes in one chunk or two; either way, in order, once, then bye.
    assert.match(received, /^B:one(B:)?twoB:bye$/);
  });

  it("does not replay when replay is off: the client is closed with nothing", async () => {
    const bad = await startFailingBackend({ afterBytes: REQUEST.length });
    const good = await echo("B");
    const proxy = await proxyTo(bad.address, { replay: false });
    const client = await connectRaw(proxy.listen);
    client.socket.write(REQUEST);
    await until(() => bad.received.length >= 1);
    proxy.setBackend(good.address);
    assert.equal(await client.closed(), "");
    assert.equal(bad.received.length, 1);
    assert.equal(good.count(), 0);
  });

  it("does not replay once the backend sent a byte, even with replay on", async () => {
    const bad = await startFailingBackend({ afterBytes: REQUEST.length, answer: "H" });
    const good = await echo("B");
    const proxy = await proxyTo(bad.address, { replay: true });
    const client = await connectRaw(proxy.listen);
    client.socket.write(REQUEST);
    await until(() => bad.received.length >= 1);
    proxy.setBackend(good.address);
    assert.equal(await client.closed(), "H");
    await sleep(100);
    assert.equal(bad.received.length, 1);
    assert.equal(good.count(), 0);
  });

  it("does not replay past the limit of kept bytes", async () => {
    const big = "x".repeat(40);
    const bad = await startFailingBackend({ afterBytes: big.length });
    const good = await echo("B");
    const proxy = await proxyTo(bad.address, { replay: true, limit: 32 });
    const client = await connectRaw(proxy.listen);
    client.socket.write(big);
    await until(() => bad.received.length >= 1);
    proxy.setBackend(good.address);
    assert.equal(await client.closed(), "");
    await sleep(100);
    assert.equal(bad.received.length, 1);
    assert.equal(good.count(), 0);
  });

  it("gives up and closes the client when no backend answers within the budget", async () => {
    const bad = await startFailingBackend({ afterBytes: 1 });
    const proxy = await startTcpProxy({
      listen: { host: "127.0.0.1", port: 0 },
      backend: bad.address,
      holdMs: 300,
      replay: true,
    });
    cleanups.push(() => proxy.close());
    const started = Date.now();
    const client = await connectRaw(proxy.listen);
    client.socket.write("a");
    assert.equal(await client.closed(3000), "");
    assert.ok(Date.now() - started < 2000, `closed after ${Date.now() - started}ms`);
    assert.ok(bad.received.length >= 2, "replayed at least once before giving up");
    await until(() => Object.keys(proxy.connectionCounts()).length === 0);
  });
});
