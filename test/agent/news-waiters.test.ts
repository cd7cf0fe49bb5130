import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { createNewsWaiters } from "../../src/agent/news-waiters.js";
import { createPointerWatch } from "../../src/agent/swap-pointer-watch.js";
import { tempDir } from "../support/temp.js";

/** How long `wait` took to resolve once `act` ran (its own timeout is 10 s). */
async function wokenAfter(wait: Promise<void>, act: () => void): Promise<number> {
  const started = Date.now();
  act();
  await wait;
  return Date.now() - started;
}

test("a sleeper wakes as soon as news arrives, not at its timeout", async () => {
  const waiters = createNewsWaiters();
  const first = waiters.wait(10_000);
  const second = waiters.wait(10_000);
  assert.ok(
    (await wokenAfter(
      Promise.all([first, second]).then(() => undefined),
      () => waiters.wake(),
    )) < 1000,
  );
  // Without news a sleep lasts its time.
  const started = Date.now();
  await waiters.wait(50);
  assert.ok(Date.now() - started >= 45);
});

test("the pointer watch wakes a window's sleep when it is told of a release", async () => {
  const root = tempDir();
  const watch = createPointerWatch({
    repo: join(root, "deploy.git"),
    mirror: join(root, "mirror.git"),
    follow: "current",
    checkEveryMs: 60_000,
  });
  try {
    const news = watch.news("hello");
    const sleeping = news.wait(10_000);
    assert.ok((await wokenAfter(sleeping, () => watch.tell("hello", 7))) < 1000);
    assert.equal(news.seen()?.release, 7);
    assert.equal(news.checkEveryMs, 60_000);
  } finally {
    watch.close();
  }
});
