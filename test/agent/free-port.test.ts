import assert from "node:assert/strict";
import { test } from "node:test";
import { findFreePort } from "../../src/agent/index.js";

test("a port handed out for an instance is not handed out again while it may still be binding it", async () => {
  const port = await findFreePort();
  assert.ok(port !== undefined && port > 0);
  // Nothing listens on it yet (the instance is still starting): the kernel would give it again.
  assert.equal(await findFreePort("127.0.0.1", port), undefined);
});

test("ports asked for one after another are all different, though the kernel gives a closed port again", async () => {
  // 1,000 probes of port 0 in a row get ~20 repeats from the kernel (seen here): two app workers
  // booting instances at once were told the same port, and one deploy failed with EADDRINUSE.
  const ports: (number | undefined)[] = [];
  for (let i = 0; i < 1000; i += 1) ports.push(await findFreePort());
  assert.ok(ports.every((p) => p !== undefined));
  assert.equal(new Set(ports).size, ports.length);
});
