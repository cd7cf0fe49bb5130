import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startAgent } from "../../src/agent/index.js";
import { httpGetFresh, waitForBody } from "../support/http.js";
import { skiffOk } from "../support/run-skiff.js";
import { makeSwapHost, readEvents, storeRelease, waitFor } from "./swap-host.js";

test("a newer release seen by the next poll ends a running confirmation window: confirmed, no rollback, and the newer release deploys", async () => {
  const host = await makeSwapHost();
  assert.equal(await storeRelease(host, { version: "v1", confirm: "30s" }), 1);
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 500 });
  try {
    assert.equal(await waitForBody(host.url, "v1", 20_000, { fresh: true }), "v1 hello\n");
    assert.equal(await storeRelease(host, { version: "v2", confirm: "30s" }), 2);
    // Release 2 serves; release 1 is kept ready through a 30 s confirmation window.
    assert.equal(await waitForBody(host.url, "v2", 20_000, { fresh: true }), "v2 hello\n");
    await waitFor("release 2's confirmation window", () =>
      readEvents(host.data).find(
        (e) => e.type === "swap.phase" && e.message === "confirming" && e.release === 2,
      ),
    );
    assert.equal(await storeRelease(host, { version: "v3", confirm: "1s" }), 3);
    // No trigger: the next poll's pass hands release 3 to the app's worker, which ends the window.
    assert.equal(await waitForBody(host.url, "v3", 20_000, { fresh: true }), "v3 hello\n");
    const events = readEvents(host.data);
    const at = (match: (e: (typeof events)[number]) => boolean): number => events.findIndex(match);
    const ended = events.find((e) => e.type === "confirm.ended_early" && e.release === 2);
    assert.equal(ended?.data?.current, 3, "the window of release 2 ended because 3 is current");
    assert.equal(
      events.find((e) => e.type === "deploy.rolled_back" || (e.type === "deploy.failed" && e.release === 2)),
      undefined,
      "a window ended by a newer release is no rollback",
    );
    // In order: 2 confirmed (1 drained and stopped), then 3 deployed from 2.
    const succeeded2 = at((e) => e.type === "deploy.succeeded" && e.release === 2);
    const stopped1 = at((e) => e.type === "instance.stopped" && e.release === 1);
    const started3 = at((e) => e.type === "deploy.started" && e.release === 3);
    assert.ok(
      stopped1 >= 0 && stopped1 < succeeded2 && succeeded2 < started3,
      `${stopped1} ${succeeded2} ${started3}`,
    );
  } finally {
    await agent.stop();
    await skiffOk(["stop", host.app, "--data", host.data]);
  }
});

test("an hourly-polling agent's window waits for news; a signed trigger's word ends it, and only the repository decides what deploys", async () => {
  const host = await makeSwapHost();
  assert.equal(await storeRelease(host, { version: "v1", confirm: "30s" }), 1);
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 3_600_000 });
  try {
    await agent.reconcileNow();
    assert.equal(await waitForBody(host.url, "v1", 20_000, { fresh: true }), "v1 hello\n");
    assert.equal(await storeRelease(host, { version: "v2", confirm: "30s" }), 2);
    agent.trigger("test");
    assert.equal(await waitForBody(host.url, "v2", 20_000, { fresh: true }), "v2 hello\n");
    // Release 2 is in its 30 s window. Release 3 is stored without a trigger: an agent that polls
    // hourly does not fetch during the window, so nothing ends it.
    assert.equal(await storeRelease(host, { version: "v3", confirm: "1s" }), 3);
    await sleep(2500);
    const endedEarly = () =>
      readEvents(host.data).find((e) => e.type === "confirm.ended_early" && e.release === 2);
    assert.equal(endedEarly(), undefined);
    assert.equal((await httpGetFresh(host.url)).body, "v2 hello\n");
    // The claim names release 4, which the repository does not have: it ends the window at once.
    agent.trigger("signed trigger for hello", { app: host.app, release: 4 });
    const ended = await waitFor("the window to end", endedEarly);
    assert.match(ended.message, /release 4 became current/);
    await waitFor("release 1 to be stopped", () =>
      readEvents(host.data).find((e) => e.type === "instance.stopped" && e.release === 1),
    );
    // The trigger's fetch says current is 3: release 3 deploys, release 4 never does.
    assert.equal(await waitForBody(host.url, "v3", 20_000, { fresh: true }), "v3 hello\n");
    assert.equal(
      readEvents(host.data).find((e) => e.type === "deploy.started" && e.release === 4),
      undefined,
    );
  } finally {
    await agent.stop();
    await skiffOk(["stop", host.app, "--data", host.data]);
  }
});
