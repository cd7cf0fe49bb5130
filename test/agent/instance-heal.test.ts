import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { test } from "node:test";
import { readState, startAgent } from "../../src/agent/index.js";
import type { SkiffEvent } from "../../src/events/index.js";
import { httpGetFresh, openConnection } from "../support/http.js";
import { appUrl, makeAppsHost, storeApp } from "./apps-host.js";
import { readEvents, waitFor } from "./swap-host.js";

/** A new connection every few ms until stopped: each request that did not get `body`, with when it began. */
function probeUntilStopped(url: string, body: string): { stop(): Promise<string[]> } {
  const failures: string[] = [];
  let probing = true;
  const running = (async () => {
    while (probing) {
      const began = Date.now();
      await httpGetFresh(url, 5000).then(
        (answer) => void (answer.body === body || failures.push(`${began}: ${answer.status}`)),
        (error: Error) => void failures.push(`${began}: ${error.message}`),
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    async stop() {
      probing = false;
      await running;
      return failures;
    },
  };
}

const eventOf = (data: string, type: string, instance: string | undefined): SkiffEvent | undefined =>
  readEvents(data).find((e) => e.type === type && (instance === undefined || e.data?.instance === instance));

test("SIGKILL of an instance: instance.exited at once, restarted within 1 s, and no request to the app fails", async () => {
  const host = makeAppsHost();
  await storeApp(host, { app: "solo", version: "v1" });
  // No pass comes in the test's time: the restart can only come from the agent's watch.
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 600_000 });
  try {
    await waitFor("solo deployed", () => readState(host.data).apps.solo?.instances[0]);
    const dead = readState(host.data).apps.solo!.instances[0]!;
    assert.equal((await httpGetFresh(appUrl(host, "solo"))).body, "v1 hello\n");
    const probes = probeUntilStopped(appUrl(host, "solo"), "v1 hello\n");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const killedAt = Date.now();
    process.kill(dead.handle.pid as number, "SIGKILL");
    const exited = await waitFor("instance.exited", () => eventOf(host.data, "instance.exited", dead.id));
    const restarted = await waitFor("instance.restarted", () =>
      readEvents(host.data).find((e) => e.type === "instance.restarted" && e.app === "solo"),
    );
    const failures = await probes.stop();
    const after = (e: SkiffEvent | undefined): number =>
      e === undefined ? NaN : Date.parse(e.time) - killedAt;
    const since = readEvents(host.data).filter((e) => Date.parse(e.time) >= killedAt && e.app === "solo");
    const started = since.find((e) => e.type === "instance.started");
    const healthy = since.find((e) => e.type === "health.ok");
    console.log(since.map((e) => `${after(e)} ms ${e.type}`).join("\n"));
    // What skiff does: see the exit, route away, wait deploy.restart.backoff (200 ms), start the new
    // instance; then route to it once healthy. The fixture's own boot (a node program) is not skiff's.
    assert.ok(after(exited) < 500, `instance.exited ${after(exited)} ms after the kill`);
    assert.ok(after(started) < 1000, `the new instance started ${after(started)} ms after the kill`);
    assert.ok(after(restarted) - after(healthy) < 500, "routed to once healthy");
    // Only a request in flight at the kill may fail: the door holds the others while it restarts.
    assert.ok(failures.length <= 1, `failed: ${failures.join("; ")}`);
    assert.equal(
      readEvents(host.data).filter((e) => e.type === "instance.exited").length,
      1,
      "the exit is said once",
    );
    assert.notEqual(readState(host.data).apps.solo?.instances[0]?.id, dead.id);
  } finally {
    await agent.stop();
  }
});

test("an instance that dies while its app's worker is busy (a replica booting) is said then, not when that task ends; the restart follows it", async () => {
  const host = makeAppsHost();
  // Every instance takes 6 s to listen: the replica added under load keeps the app's worker busy that long.
  await storeApp(host, {
    app: "slowpoke",
    version: "v1",
    fixture: "slow",
    env: { SLOW_MS: "6000" },
    scale: "{ min: 1, max: 2, concurrency: 1, idle: 60s }",
  });
  const agent = await startAgent({ repo: host.repo, data: host.data, pollMs: 600_000 });
  const sockets: Socket[] = [];
  try {
    await waitFor("slowpoke deployed", () => eventOf(host.data, "deploy.succeeded", undefined), 60_000);
    const dead = readState(host.data).apps.slowpoke!.instances[0]!;
    // Connections that stay open, above concurrency 1: a replica starts.
    for (let i = 0; i < 3; i += 1) sockets.push(await openConnection(host.publish.get("slowpoke")!));
    await waitFor(
      "the replica to start",
      () => readEvents(host.data).find((e) => e.type === "instance.started" && e.data?.reason === "scale-up"),
      20_000,
    );
    process.kill(dead.handle.pid as number, "SIGKILL");
    await waitFor("instance.exited", () => eventOf(host.data, "instance.exited", dead.id), 20_000);
    const types = readEvents(host.data).map((e) => e.type);
    assert.ok(
      !types.includes("instance.scaled_up") ||
        types.indexOf("instance.exited") < types.indexOf("instance.scaled_up"),
      `the exit was said before the scale-up ended: ${types.slice(-12).join(", ")}`,
    );
    await waitFor(
      "the dead instance restarted",
      () => readEvents(host.data).find((e) => e.type === "instance.restarted" && e.app === "slowpoke"),
      30_000,
    );
    assert.equal(
      readEvents(host.data).filter((e) => e.type === "instance.exited").length,
      1,
      "the exit is said once",
    );
  } finally {
    for (const socket of sockets) socket.destroy();
    await agent.stop();
  }
});
