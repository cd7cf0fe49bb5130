import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createCoalescer } from "../../src/agent/index.js";

test("requests coalesce: one run in flight plus at most one queued", async () => {
  let runs = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  const pass = createCoalescer(async () => {
    runs += 1;
    concurrent += 1;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    await sleep(50);
    concurrent -= 1;
    return runs;
  });
  const first = pass.request();
  const queued = [pass.request(), pass.request(), pass.request()];
  assert.equal(await first, 1);
  assert.deepEqual(await Promise.all(queued), [2, 2, 2]);
  await pass.idle();
  assert.equal(runs, 2);
  assert.equal(maxConcurrent, 1);
});

test("a failed run does not block the queued one", async () => {
  let runs = 0;
  const pass = createCoalescer(async () => {
    runs += 1;
    await sleep(10);
    if (runs === 1) throw new Error("fetch failed");
    return runs;
  });
  const first = pass.request();
  const second = pass.request();
  await assert.rejects(first, /fetch failed/);
  assert.equal(await second, 2);
});
