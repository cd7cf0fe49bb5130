import assert from "node:assert/strict";
import { test } from "node:test";
import { startAgent } from "../../src/agent/index.js";
import { connectFrontDoor, frontDoorDir, readFrontRecord } from "../../src/proxy/index.js";
import { httpGetFresh, waitForBody } from "../support/http.js";
import { appUrl, eventIndex, makeAppsHost, storeApp } from "./apps-host.js";
import { liveInstances, readEvents, waitFor } from "./swap-host.js";

test("an app inside a 120 s confirmation window and another in a crash-loop backoff do not delay a third app's deploy", async () => {
  const host = makeAppsHost();
  // 120 s: on a loaded CI machine the steps below can take more than 30 s, and the window must still be open at the stop.
  await storeApp(host, { app: "window", version: "v1", confirm: "120s" });
  // Crashes 3 s after each boot (after its health check passed, even on a loaded host); the first restart waits 20 s.
  await storeApp(host, {
    app: "crashy",
    version: "v1",
    fixture: "die-after",
    env: { DIE_AFTER_MS: "3000" },
    restart: "{ limit: 3, backoff: 20s }",
  });
  await storeApp(host, { app: "third", version: "v1" });
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 300 });
  try {
    await waitForBody(appUrl(host, "window"), "v1", 30_000, { fresh: true });
    await waitForBody(appUrl(host, "third"), "v1", 30_000, { fresh: true });
    await storeApp(host, { app: "window", version: "v2", confirm: "120s" });
    await waitFor(
      "window's release 2 to enter its confirmation window",
      () =>
        readEvents(host.data).find(
          (e) => e.app === "window" && e.type === "swap.phase" && e.message === "confirming",
        ),
      30_000,
    );
    const backoff = await waitFor(
      "crashy to wait out its restart backoff",
      () => readEvents(host.data).find((e) => e.app === "crashy" && e.type === "instance.backoff"),
      30_000,
    );
    assert.equal(backoff.data?.waitMs, 20_000);

    await storeApp(host, { app: "third", version: "v2" });
    agent.trigger("test: third v2 stored");
    assert.equal(await waitForBody(appUrl(host, "third"), "v2", 30_000, { fresh: true }), "v2 hello\n");
    // Served, then confirmed (third's own 1 s window): its deploy is over.
    await waitFor("third's release 2 to be confirmed", () =>
      readEvents(host.data).find(
        (e) => e.app === "third" && e.type === "deploy.succeeded" && e.release === 2,
      ),
    );
    // When third's deploy ended, the others were still where they were: window's window and crashy's
    // backoff had not ended (a serial pass would have waited for both first). Compared by position
    // in the event log, not by the clock.
    const thirdLive = eventIndex(
      host,
      (e) => e.app === "third" && e.type === "deploy.succeeded" && e.release === 2,
    );
    const windowEnd = eventIndex(
      host,
      (e) =>
        e.app === "window" &&
        e.release === 2 &&
        (e.type === "deploy.succeeded" || e.type === "confirm.ended_early"),
    );
    assert.ok(windowEnd === -1 || windowEnd > thirdLive, "window's 120 s window was still open");
    const crashyStarts = readEvents(host.data)
      .map((e, index) => ({ e, index }))
      .filter(({ e }) => e.app === "crashy" && e.type === "instance.started");
    assert.ok(
      crashyStarts.length === 1 || crashyStarts[1]!.index > thirdLive,
      "crashy was still waiting out its backoff: no restart before third went live",
    );
    assert.equal((await httpGetFresh(appUrl(host, "window"))).body, "v2 hello\n");

    // stopApp acts through the app's worker at once: the window and the backoff end now, not in 120 s / 20 s.
    const stopped = await agent.stopApp("window");
    assert.deepEqual(
      stopped.map((i) => i.release).sort(),
      [1, 2],
      `both sides of the swap in its window; window's events: ${readEvents(host.data)
        .filter((e) => e.app === "window")
        .map((e) => `${e.type} ${e.release}`)
        .join(", ")}`,
    );
    await agent.stopApp("crashy");
    const types = (app: string) =>
      readEvents(host.data)
        .filter((e) => e.app === app)
        .map((e) => e.type);
    assert.ok(types("window").includes("app.stopped"));
    assert.ok(!types("window").includes("deploy.rolled_back"), "a stop is no rollback");
    assert.ok(types("crashy").includes("instance.restart_cancelled"));
    const live = new Set(liveInstances(host.data).map((i) => i.id.split("-")[0]));
    assert.deepEqual([...live], ["third"], "only third's instance still runs");
  } finally {
    await agent.stop();
  }
});

test("a push's pass checks the app it moved, not an idle app nothing changed for; the next agent run checks every app", async () => {
  const host = makeAppsHost();
  await storeApp(host, { app: "one", version: "one1" });
  await storeApp(host, { app: "two", version: "two1" });
  const run = (): ReturnType<typeof startAgent> =>
    startAgent({ repo: host.repo, data: host.data, pollMs: 3_600_000 });
  const agent = await run();
  try {
    await waitForBody(appUrl(host, "one"), "one1", 30_000, { fresh: true });
    await waitForBody(appUrl(host, "two"), "two1", 30_000, { fresh: true });
    // The door loses two's route behind the agent's back; only a check of two puts it back.
    const dir = frontDoorDir(host.data);
    assert.equal(await connectFrontDoor(dir, readFrontRecord(dir)!.pid).removeApp("two"), true);
    await assert.rejects(httpGetFresh(appUrl(host, "two")), "two's public address is closed");
    await storeApp(host, { app: "one", version: "one2" });
    await agent.reconcileNow({ app: "one", release: 2 });
    await agent.settled("one");
    await agent.settled("two");
    assert.equal((await httpGetFresh(appUrl(host, "one"))).body, "one2 hello\n");
    await assert.rejects(httpGetFresh(appUrl(host, "two")), "two was not checked by one's pass");
  } finally {
    await agent.stop();
  }
  const next = await run();
  try {
    await waitForBody(appUrl(host, "two"), "two1", 10_000, { fresh: true });
  } finally {
    await next.stop();
  }
});
