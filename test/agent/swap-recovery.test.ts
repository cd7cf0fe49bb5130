import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runLoad } from "../../src/load/index.js";
import { connectFrontDoor, formatAddress, frontDoorDir, readFrontRecord } from "../../src/proxy/index.js";
import { planSwapRecovery } from "../../src/agent/index.js";
import type { Instance } from "../../src/drivers/index.js";
import { httpGet } from "../support/http.js";
import {
  liveInstances,
  makeSwapHost,
  readApp,
  runAgentOnce,
  spawnAgent,
  storeRelease,
  waitFor,
} from "./swap-host.js";
import { exited } from "../support/processes.js";

const PHASES = ["starting", "checking", "switched", "confirming", "draining"] as const;

/** Where the public address points (its one ready backend), asked from the front door itself. */
async function proxyBackend(data: string, app: string): Promise<string | null> {
  const dir = frontDoorDir(data);
  const record = readFrontRecord(dir);
  assert.ok(record, "the front door runs");
  const ready = (await connectFrontDoor(dir, record.pid).app(app))?.backends.filter(
    (b) => b.state === "ready",
  );
  assert.equal(ready?.length, 1, "one ready backend");
  return ready[0]!.address;
}

describe("an agent SIGKILLed in the middle of a swap", () => {
  for (const phase of PHASES) {
    test(`killed at ${phase}: the restarted agent ends with one serving instance, the proxy on it, no stray process, no failed request`, async () => {
      const host = await makeSwapHost();
      await storeRelease(host, { version: "v1" });
      assert.equal((await runAgentOnce(host)).code, 0);
      await storeRelease(host, { version: "v2" });

      const stop = new AbortController();
      const load = runLoad({
        url: host.url,
        rate: 100,
        durationMs: 60_000,
        maxRequests: 6000,
        timeoutMs: 10_000,
        signal: stop.signal,
      });
      const agent = spawnAgent(host, { env: { SKIFF_TEST_PAUSE_AT: phase } });
      // Generous: on a loaded 2-core host the agent's build-up to a late phase can take a while.
      await waitFor(
        `the swap to reach ${phase}`,
        () => (readApp(host)?.swap?.phase === phase ? true : undefined),
        60_000,
      );
      agent.kill("SIGKILL");
      await exited(agent);
      const during = readApp(host);
      assert.equal(during?.swap?.phase, phase, "the dead agent left its swap in state");

      const restarted = await runAgentOnce(host);
      assert.equal(restarted.code, 0, restarted.stderr);
      stop.abort();
      const result = await load;

      const app = readApp(host);
      assert.equal(app?.swap, undefined);
      assert.equal(app?.instances[0]?.release, 2, "the retried or kept swap ends on release 2");
      assert.deepEqual(
        liveInstances(host.data).map((i) => i.id),
        [app?.instances[0]?.id],
        "exactly one instance process of the app runs",
      );
      assert.equal(await proxyBackend(host.data, host.app), formatAddress(app.instances[0].address));
      assert.equal((await httpGet(host.url)).body, "v2 hello\n");
      assert.equal(result.errors, 0, `connection errors: ${JSON.stringify(result.errorKinds)}`);
      assert.equal(result.non2xx, 0);
    });
  }
});

describe("planSwapRecovery (the recovery table)", () => {
  const instance = (id: string): Instance => ({
    id,
    driver: "unix",
    app: "a",
    release: id === "old" ? 1 : 2,
    address: { host: "127.0.0.1", port: id === "old" ? 1 : 2 },
    handle: {},
    logPath: "",
    startedAt: "",
  });
  const old = instance("old");
  const next = instance("next");
  const cases: [string, boolean, boolean, string | undefined, string[]][] = [
    // phase, old running, next running → serves, stopped
    ["starting", true, false, "old", ["next"]],
    ["checking", true, true, "old", ["next"]],
    ["switched", true, true, "old", ["next"]],
    ["confirming", true, true, "old", ["next"]],
    ["confirming", false, true, "next", ["old"]],
    ["checking", false, true, undefined, ["next"]],
    ["draining", true, true, "next", ["old"]],
    ["draining", true, false, "old", ["next"]],
    ["draining", false, false, undefined, ["next"]],
  ];
  for (const [phase, oldRunning, nextRunning, serves, stopped] of cases) {
    test(`${phase}, old ${oldRunning ? "up" : "down"}, new ${nextRunning ? "up" : "down"} → ${serves ?? "none"}`, () => {
      const plan = planSwapRecovery({
        phase: phase as (typeof PHASES)[number],
        old: [old],
        next: [next],
        running: (i) => (i.id === "old" ? oldRunning : nextRunning),
      });
      assert.deepEqual(
        plan.serve.map((i) => i.id),
        serves === undefined ? [] : [serves],
      );
      assert.deepEqual(
        plan.stop.map((i) => i.id),
        stopped,
      );
      if (serves === undefined)
        assert.deepEqual(
          plan.record.map((i) => i.id),
          ["old"],
          "the old record stays, so the plan restarts or redeploys",
        );
    });
  }
});
