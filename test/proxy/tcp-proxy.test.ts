import assert from "node:assert/strict";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { after, describe, it } from "node:test";
import { isSkiffError } from "../../src/errors/index.js";
import { formatAddress, startTcpProxy, type TcpProxy } from "../../src/proxy/index.js";
import { connectRaw, startEchoBackend, type Backend } from "./backends.js";

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function echo(name: string): Promise<Awaited<ReturnType<typeof startEchoBackend>>> {
  const backend = await startEchoBackend(name);
  cleanups.push(backend.close);
  return backend;
}

async function proxyTo(backend: Backend | undefined, holdMs?: number): Promise<TcpProxy> {
  const proxy = await startTcpProxy({
    listen: { host: "127.0.0.1", port: 0 },
    backend: backend?.address,
    holdMs,
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

describe("tcp proxy", () => {
  it("keeps an open connection on the old backend after a switch while new ones go to the new backend", async () => {
    const [a, b] = [await echo("A"), await echo("B")];
    const proxy = await proxyTo(a);
    const old = await connectRaw(proxy.listen);
    assert.equal(await old.exchange("1"), "A:1");
    proxy.setBackend(b.address);
    const fresh = await connectRaw(proxy.listen);
    assert.equal(await fresh.exchange("2"), "B:2");
    assert.equal(await old.exchange("3"), "A:3", "the old connection still talks to A");
    assert.deepEqual(proxy.connectionCounts(), {
      [formatAddress(a.address)]: 1,
      [formatAddress(b.address)]: 1,
    });
    old.socket.end();
    assert.equal(await old.closed(), "A:1A:3A:bye");
    fresh.socket.destroy();
    await until(() => Object.keys(proxy.connectionCounts()).length === 0);
  });

  it("passes a half-close through: the backend still answers after the client ends its side", async () => {
    const a = await echo("A");
    const proxy = await proxyTo(a);
    const client = await connectRaw(proxy.listen);
    client.socket.end("last");
    assert.equal(await client.closed(), "A:lastA:bye");
  });

  it("drain waits for connections to close, and after the timeout destroys the rest and reports them", async () => {
    const [a, b] = [await echo("A"), await echo("B")];
    const proxy = await proxyTo(a);
    const stuck = await connectRaw(proxy.listen);
    assert.equal(await stuck.exchange("x"), "A:x");
    proxy.setBackend(b.address);
    assert.deepEqual(await proxy.drain(b.address, 200), { drained: true, closed: 0 });
    const result = await proxy.drain(a.address, 300);
    assert.deepEqual(result, { drained: false, closed: 1 });
    await stuck.closed();
    await until(() => a.sockets.size === 0);
    assert.deepEqual(proxy.connectionCounts(), {});
  });

  it("drain reports drained when the last connection closes by itself within the timeout", async () => {
    const [a, b] = [await echo("A"), await echo("B")];
    const proxy = await proxyTo(a);
    const client = await connectRaw(proxy.listen);
    await client.exchange("x");
    proxy.setBackend(b.address);
    setTimeout(() => client.socket.end(), 150);
    assert.deepEqual(await proxy.drain(a.address, 3000), { drained: true, closed: 0 });
  });

  it("holds a connection that arrives with no backend and forwards it once one is set", async () => {
    const a = await echo("A");
    const proxy = await proxyTo(undefined, 3000);
    const client = await connectRaw(proxy.listen);
    client.socket.write("early");
    await until(() => proxy.heldCount() === 1);
    await sleep(200);
    proxy.setBackend(a.address);
    client.socket.end();
    assert.equal(await client.closed(), "A:earlyA:bye");
    assert.equal(proxy.heldCount(), 0);
  });

  it("closes a held connection when no backend comes within the hold time", async () => {
    const proxy = await proxyTo(undefined, 200);
    const client = await connectRaw(proxy.listen);
    assert.equal(await client.closed(2000), "");
    await until(() => proxy.heldCount() === 0);
  });

  it("closes the client connection when the backend refuses it for the whole hold time", async () => {
    const dead = await echo("dead");
    await dead.close();
    const proxy = await proxyTo(dead, 200);
    const client = await connectRaw(proxy.listen);
    assert.equal(await client.closed(2000), "");
    await until(() => Object.keys(proxy.connectionCounts()).length === 0);
  });

  it("leaks nothing after many concurrent connections", async () => {
    const a = await echo("A");
    const proxy = await proxyTo(a);
    const clients = await Promise.all(Array.from({ length: 200 }, () => connectRaw(proxy.listen)));
    const answers = await Promise.all(clients.map((c, i) => c.exchange(`${i}`)));
    assert.deepEqual(
      answers,
      clients.map((_c, i) => `A:${i}`),
    );
    assert.equal(proxy.connectionCounts()[formatAddress(a.address)], 200);
    // Half of them end politely, half vanish abruptly.
    clients.forEach((c, i) => (i % 2 === 0 ? c.socket.end() : c.socket.destroy()));
    await Promise.all(clients.map((c) => c.closed()));
    await until(() => Object.keys(proxy.connectionCounts()).length === 0 && a.sockets.size === 0);
  });

  it("refuses a public address that another program holds with ERR_SKIFF_PORT_IN_USE", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => holder.close(() => resolve())));
    const port = (holder.address() as { port: number }).port;
    await assert.rejects(startTcpProxy({ listen: { host: "127.0.0.1", port } }), (error: unknown) => {
      assert.ok(isSkiffError(error));
      assert.equal(error.code, "ERR_SKIFF_PORT_IN_USE");
      assert.ok(error.hint);
      return true;
    });
  });
});
