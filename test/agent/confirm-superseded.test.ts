import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { confirmUnlessSuperseded } from "../../src/agent/confirm-superseded.js";
import type { SeenPointer } from "../../src/agent/swap-pointer-watch.js";
import { HealthSchema } from "../../src/config/index.js";
import type { Instance } from "../../src/drivers/index.js";
import { SkiffError } from "../../src/errors/index.js";
import { freePort, waitForBody } from "../support/http.js";
import { FIXTURES } from "../support/paths.js";
import { instanceAt } from "./instance-at.js";

let child: ChildProcess;
let instance: Instance;

before(async () => {
  const port = await freePort();
  child = spawn(process.execPath, [join(FIXTURES, "unikernels", "serve.mjs"), `--port=${port}`], {
    env: { ...process.env, VERSION: "1" },
    stdio: "ignore",
  });
  await waitForBody(`http://127.0.0.1:${port}/`, "hello", 5000);
  instance = instanceAt(port, "hello");
});

after(() => child.kill("SIGKILL"));

function confirm(windowMs: number, seen: () => SeenPointer | undefined) {
  return confirmUnlessSuperseded(
    {
      instance,
      health: HealthSchema.parse({ http: "/", interval: "100ms", timeout: "1s" }),
      windowMs,
      inspect: () => Promise.resolve("running"),
      isStopped: () => false,
      stoppedError: () => new SkiffError("ERR_SKIFF_APP_STOPPED", "stopped"),
    },
    {
      seen,
      open: () => () => undefined,
      wait: (ms) => sleep(ms),
      // The window's own pointer check says nothing new and comes too late to matter.
      read: () => Promise.resolve(1),
      checkEveryMs: 60_000,
    },
  );
}

test("a newer release seen by a fetch inside the window ends it at once, confirmed", async () => {
  let seen: SeenPointer | undefined;
  setTimeout(() => (seen = { release: 2, fetchedAt: Date.now() }), 300);
  const started = Date.now();
  const outcome = await confirm(20_000, () => seen);
  const took = Date.now() - started;
  assert.equal(outcome.ok, true);
  assert.equal(outcome.ok && outcome.supersededBy, 2);
  assert.ok(took < 1500, `the window ended ${took} ms after it started, not at its 20 s end`);
});

test("a pointer fetched before the window started, or naming this release, does not end it", async () => {
  const stale: SeenPointer = { release: 2, fetchedAt: Date.now() - 1000 };
  const started = Date.now();
  const outcome = await confirm(800, () => stale);
  assert.equal(outcome.ok && outcome.supersededBy, undefined);
  assert.ok(Date.now() - started >= 750, "the whole window was watched");
  const same = await confirm(500, () => ({ release: 1, fetchedAt: Date.now() }));
  assert.equal(same.ok && same.supersededBy, undefined);
});

test("the window sleeps through the watch's wait, so news wakes it before its next tick", async () => {
  const waits: number[] = [];
  const latest: { seen?: SeenPointer } = {};
  let wake: () => void = () => undefined;
  const outcome = confirmUnlessSuperseded(
    {
      instance,
      health: HealthSchema.parse({ http: "/", interval: "100ms", timeout: "1s" }),
      windowMs: 20_000,
      inspect: () => Promise.resolve("running"),
      isStopped: () => false,
      stoppedError: () => new SkiffError("ERR_SKIFF_APP_STOPPED", "stopped"),
    },
    {
      seen: () => latest.seen,
      open: () => () => undefined,
      // Never ends by itself: only news ends this sleep, so the window must be waiting here.
      wait: (ms) => {
        waits.push(ms);
        return new Promise<void>((resolve) => (wake = resolve));
      },
      read: () => Promise.resolve(1),
      checkEveryMs: 60_000,
    },
  );
  const deadline = Date.now() + 5000;
  while (waits.length === 0) {
    if (Date.now() > deadline) assert.fail("the window never slept through the watch's wait");
    await sleep(5);
  }
  latest.seen = { release: 2, fetchedAt: Date.now() };
  wake();
  const result = await outcome;
  assert.equal(result.ok && result.supersededBy, 2);
  assert.ok(waits.every((ms) => ms <= 50));
});
