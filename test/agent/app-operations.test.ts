import assert from "node:assert/strict";
import { test } from "node:test";
import { readStatus, startAgent } from "../../src/agent/index.js";
import { httpGetFresh } from "../support/http.js";
import { appUrl, makeAppsHost, storeApp } from "./apps-host.js";
import { readEvents } from "./swap-host.js";

test("restartApp, stopApp and startApp act through the app's worker at once, without waiting for a pass", async () => {
  const host = makeAppsHost();
  await storeApp(host, { app: "hello", version: "v1", confirm: "500ms" });
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 3_600_000 });
  try {
    await agent.reconcileNow();
    assert.equal((await agent.settled("hello"))?.ok, true);
    const [first] = (await readStatus(host.data))[0]?.instances ?? [];
    assert.equal(first?.reason, "deploy");
    const passes = agent.status().passes;

    const restarted = await agent.restartApp("hello");
    assert.equal(restarted?.ok, true, JSON.stringify(restarted?.error));
    const [second] = (await readStatus(host.data))[0]?.instances ?? [];
    assert.notEqual(second?.id, first?.id, "a new instance replaced the old one");
    assert.deepEqual([second?.release, second?.reason, second?.status], [1, "restart", "running"]);
    assert.ok(
      readEvents(host.data).some((e) => e.type === "instance.stopped" && e.data?.instance === first?.id),
      "the old instance was drained and stopped",
    );
    assert.equal((await httpGetFresh(appUrl(host, "hello"))).body, "v1 hello\n");

    const stopped = await agent.stopApp("hello");
    assert.deepEqual(
      stopped.map((i) => i.id),
      [second?.id],
    );
    assert.equal((await readStatus(host.data))[0]?.status, "stopped");
    await assert.rejects(httpGetFresh(appUrl(host, "hello"), 1000));

    const started = await agent.startApp("hello");
    assert.equal(started?.ok, true);
    assert.equal((await httpGetFresh(appUrl(host, "hello"))).body, "v1 hello\n");
    assert.equal(agent.status().passes, passes, "no pass ran: each call went to the app's worker");
  } finally {
    await agent.stop();
  }
});
