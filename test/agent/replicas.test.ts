import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { test } from "node:test";
import { readState, startAgent } from "../../src/agent/index.js";
import { httpGetFresh, waitForBody, openConnection } from "../support/http.js";
import { appUrl, makeAppsHost, storeApp } from "./apps-host.js";
import { eventsOf } from "./scale-host.js";
import { waitFor } from "./swap-host.js";

test("open connections above concurrency start replicas up to max; idle ones stop down to min", async () => {
  const host = makeAppsHost();
  await storeApp(host, { app: "busy", version: "v1", scale: "{ min: 1, max: 3, concurrency: 2, idle: 2s }" });
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 60_000 });
  const sockets: Socket[] = [];
  try {
    await waitForBody(appUrl(host, "busy"), "v1", 30_000, { fresh: true });
    // Ten connections that stay open (a client that is slow to send): 10 per instance, above 2.
    for (let i = 0; i < 10; i += 1) sockets.push(await openConnection(host.publish.get("busy")!));
    await waitFor(
      "two replicas more",
      () => (eventsOf(host.data, "busy", "instance.scaled_up").length >= 2 ? true : undefined),
      20_000,
    );
    await agent.settled("busy");
    const instances = readState(host.data).apps.busy!.instances;
    assert.deepEqual(instances.map((i) => i.reason).sort(), ["deploy", "scale-up", "scale-up"]);
    assert.equal(eventsOf(host.data, "busy", "instance.scaled_up").length, 2, "never above max");
    for (const socket of sockets) socket.destroy();
    await waitFor(
      "down to min",
      () => (readState(host.data).apps.busy!.instances.length === 1 ? true : undefined),
      20_000,
    );
    assert.equal(eventsOf(host.data, "busy", "instance.scaled_down").length, 2);
    assert.equal(eventsOf(host.data, "busy", "instance.idle_stopped").length, 0, "min 1 never sleeps");
    assert.equal((await httpGetFresh(appUrl(host, "busy"))).body, "v1 hello\n");
  } finally {
    for (const socket of sockets) socket.destroy();
    await agent.stop();
  }
});

test("blue-green with replicas replaces the whole set, healthy before the switch, without a failed request", async () => {
  const host = makeAppsHost();
  await storeApp(host, { app: "pair", version: "v1", scale: "{ min: 2, max: 2 }" });
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 300 });
  try {
    await waitForBody(appUrl(host, "pair"), "v1", 30_000, { fresh: true });
    await agent.settled("pair");
    const old = readState(host.data).apps.pair!.instances.map((i) => i.id);
    assert.equal(old.length, 2);
    let failed = 0;
    let served = 0;
    let loading = true;
    const load = (async () => {
      while (loading) {
        const answer = await httpGetFresh(appUrl(host, "pair"), 5000).catch(() => undefined);
        if (answer?.status === 200) served += 1;
        else failed += 1;
      }
    })();
    await storeApp(host, { app: "pair", version: "v2", scale: "{ min: 2, max: 2 }" });
    await waitFor(
      "release 2 confirmed",
      () => eventsOf(host.data, "pair", "deploy.succeeded").find((e) => e.release === 2),
      60_000,
    );
    loading = false;
    await load;
    assert.equal(failed, 0, `${served} served, none failed`);
    const next = readState(host.data).apps.pair!.instances;
    assert.deepEqual(
      next.map((i) => i.release),
      [2, 2],
    );
    assert.ok(
      next.every((i) => !old.includes(i.id)),
      "the whole set was replaced",
    );
    const switched = eventsOf(host.data, "pair", "proxy.switched").at(-1);
    const healthy = eventsOf(host.data, "pair", "health.ok").filter((e) => e.release === 2);
    assert.equal(healthy.length, 2, "both new instances passed before the switch");
    assert.ok(healthy.every((e) => (e.time ?? "") <= (switched?.time ?? "")));
  } finally {
    await agent.stop();
  }
});
