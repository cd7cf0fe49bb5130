import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { after, describe, it } from "node:test";
import { formatAddress, startTcpProxy, type Address, type TcpProxy } from "../../src/proxy/index.js";
import { connectRaw, startEchoBackend } from "./backends.js";

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function echo(name: string): Promise<Awaited<ReturnType<typeof startEchoBackend>>> {
  const backend = await startEchoBackend(name);
  cleanups.push(backend.close);
  return backend;
}

/** A loopback address that refuses connections: a backend that was started, then closed. */
async function refusingAddress(): Promise<Address> {
  const dead = await startEchoBackend("dead");
  await dead.close();
  return dead.address;
}

async function proxyTo(backend: Address, holdMs: number): Promise<TcpProxy> {
  const proxy = await startTcpProxy({ listen: { host: "127.0.0.1", port: 0 }, backend, holdMs });
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

describe("tcp proxy: connect retry", () => {
  it("retries a refused connect against the backend switched to meanwhile; the client's early bytes arrive", async () => {
    const good = await echo("B");
    const proxy = await proxyTo(await refusingAddress(), 3000);
    const client = await connectRaw(proxy.listen);
    client.socket.write("early");
    await until(() => proxy.heldCount() === 1);
    await sleep(150);
    assert.equal(good.count(), 0);
    proxy.setBackend(good.address);
    client.socket.end();
    assert.equal(await client.closed(), "B:earlyB:bye");
    assert.equal(good.count(), 1);
    await until(() => proxy.heldCount() === 0);
  });

  it("counts a retried connection under the backend it reached, so draining that backend waits for it", async () => {
    const good = await echo("B");
    const proxy = await proxyTo(await refusingAddress(), 3000);
    const client = await connectRaw(proxy.listen);
    await until(() => proxy.heldCount() === 1);
    proxy.setBackend(good.address);
    assert.equal(await client.exchange("x"), "B:x");
    assert.deepEqual(proxy.connectionCounts(), { [formatAddress(good.address)]: 1 });
    client.socket.destroy();
  });

  it("closes the client once a backend has refused for the whole budget", async () => {
    const proxy = await proxyTo(await refusingAddress(), 300);
    const started = Date.now();
    const client = await connectRaw(proxy.listen);
    client.socket.write("lost");
    assert.equal(await client.closed(3000), "");
    assert.ok(Date.now() - started >= 250, `closed after ${Date.now() - started}ms, before the budget`);
    await until(() => proxy.heldCount() === 0);
    assert.deepEqual(proxy.connectionCounts(), {});
  });

  it("stops retrying as soon as the client goes away", async () => {
    const proxy = await proxyTo(await refusingAddress(), 5000);
    const client = await connectRaw(proxy.listen);
    await until(() => proxy.heldCount() === 1);
    client.socket.resetAndDestroy();
    await until(() => proxy.heldCount() === 0, 1000);
  });

  it("never retries once the backend connection was made: a reset mid-stream closes the client", async () => {
    const good = await echo("B");
    const accepted: Socket[] = [];
    const resetting = createServer((socket) => {
      accepted.push(socket);
      socket.on("error", () => undefined);
      // First bytes reached the backend, then it dies: a retry could deliver them twice.
      socket.once("data", () => {
        socket.write("R:partial");
        setTimeout(() => socket.resetAndDestroy(), 20);
      });
    });
    await new Promise<void>((resolve) => resetting.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => resetting.close(() => resolve())));
    const port = (resetting.address() as { port: number }).port;
    const proxy = await proxyTo({ host: "127.0.0.1", port }, 3000);
    const client = await connectRaw(proxy.listen);
    assert.equal(await client.exchange("once"), "R:partial");
    proxy.setBackend(good.address);
    assert.equal(await client.closed(2000), "R:partial");
    await sleep(100);
    assert.equal(accepted.length, 1);
    assert.equal(good.count(), 0, "the reset connection was not retried elsewhere");
  });
});
