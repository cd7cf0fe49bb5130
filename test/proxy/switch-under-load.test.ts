import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, describe, it } from "node:test";
import { runLoad } from "../../src/load/index.js";
import { ensureProxy, stopProxy } from "../../src/proxy/index.js";
import { freePort } from "../support/http.js";
import { tempDir } from "../support/temp.js";
import { startHttpBackend, type Backend } from "./backends.js";

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});
// After the hook above, so the proxy is stopped before its directory is removed.
const dir = tempDir("skiff-switch-");

describe("backend switches under load", () => {
  it("ten switches between two backends at 200 req/s fail no request", async () => {
    const a: Backend = await startHttpBackend("A");
    const b: Backend = await startHttpBackend("B");
    cleanups.push(a.close, b.close, () => stopProxy(dir));
    const port = await freePort();
    const proxy = await ensureProxy({ app: "hello", listen: `127.0.0.1:${port}`, dir, backend: a.address });

    const load = runLoad({
      url: `http://127.0.0.1:${port}/`,
      rate: 200,
      durationMs: 3500,
      maxRequests: 1000,
      timeoutMs: 10_000,
    });
    const order: string[] = [];
    let from = a;
    for (let i = 0; i < 10; i += 1) {
      await sleep(250);
      const to = from === a ? b : a;
      await proxy.setBackend(to.address);
      const drained = await proxy.drain(from.address, 5000);
      order.push(`${to === a ? "A" : "B"}${drained.drained ? "" : "!"}`);
      from = to;
    }
    const result = await load;

    assert.deepEqual(
      order,
      ["B", "A", "B", "A", "B", "A", "B", "A", "B", "A"],
      "every old backend drained by itself",
    );
    assert.equal(result.errors, 0, `connection errors: ${JSON.stringify(result.errorKinds)}`);
    assert.equal(result.non2xx, 0);
    assert.equal(result.requests, 700);
    assert.equal(a.count() + b.count(), result.requests, "every request reached exactly one backend");
    assert.ok(a.count() > 50 && b.count() > 50, `both backends served (A ${a.count()}, B ${b.count()})`);
  });
});
