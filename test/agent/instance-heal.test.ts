import assert from "node:assert/strict";
import { test } from "node:test";
import { readState, startAgent } from "../../src/agent/index.js";
import type { SkiffEvent } from "../../src/events/index.js";
import { httpGetFresh } from "../support/http.js";
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

const eventOf = (data: string, type: string, instance: string): SkiffEvent | undefined =>
  readEvents(data).find((e) => e.type === type && e.data?.instance === instance);

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
