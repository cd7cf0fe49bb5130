import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isSameProcess } from "../../src/process/index.js";
import { httpGet } from "../support/http.js";
import { stopHost } from "../support/stop-host.js";
import { fillDisk, mountTmpfs, unmountTmpfs } from "../support/tmpfs.js";
import {
  liveInstances,
  makeSwapHost,
  readApp,
  spawnAgent,
  storeRelease,
  waitFor,
  type StateApp,
  type SwapHost,
} from "./swap-host.js";
import { exited } from "../support/processes.js";

/** The app's recorded instances that still run, by id. */
function recordedAlive(app: StateApp | undefined): string[] {
  return (app?.instances ?? [])
    .filter((i) => isSameProcess(i.handle.pid, i.handle.startTime))
    .map((i) => i.id);
}

describe("a swap interrupted by a full disk", () => {
  test("filled during the confirmation window, freed: the agent ends on what really runs, no orphaned instance, the app serves", async (t) => {
    const disk = mountTmpfs(t, "16m");
    if (disk === undefined) return;
    const base = await makeSwapHost();
    const host = { ...base, data: join(disk, "host") };
    let agent: ChildProcess | undefined;
    try {
      await storeRelease(host, { version: "v1" });
      agent = spawnAgent(host, { once: false, poll: "200ms" });
      await waitFor(
        "v1 to serve",
        async () => ((await body(host.url)) === "v1 hello\n" ? true : undefined),
        60_000,
      );
      // Long enough that a loaded machine fills the disk inside it (checked below).
      await storeRelease(host, { version: "v2", confirm: "10s" });
      await waitFor(
        "the swap's confirmation window",
        () => (readApp(host)?.swap?.phase === "confirming" ? true : undefined),
        60_000,
      );
      const v2 = readApp(host)!.swap as unknown as {
        next: StateApp["instances"];
        old: StateApp["instances"];
      };
      const filler = fillDisk(disk, 0);
      assert.equal(
        readApp(host)?.swap?.phase,
        "confirming",
        "the disk filled inside the confirmation window",
      );
      // The window ends while nothing can be written: the swap cannot record its outcome.
      await waitFor(
        "the swap to end on the full disk",
        () => (v2.next.every((i) => !isSameProcess(i.handle.pid, i.handle.startTime)) ? true : undefined),
        30_000,
      ).catch(() => undefined);
      t.diagnostic(
        `during: ${JSON.stringify(readApp(host)?.instances.map((i) => i.id))} swap ${readApp(host)?.swap?.phase}`,
      );
      t.diagnostic(`live during: ${JSON.stringify(liveInstances(host.data, { skipTorn: true }))}`);
      // The new instance is stopped: the public address must be back on the old one, full disk or not.
      assert.equal(await body(host.url), "v1 hello\n", "the old release serves while the disk is full");
      rmSync(filler);
      await settledOnRelease2(host);
      const app = readApp(host)!;
      t.diagnostic(`after: ${JSON.stringify(app.instances.map((i) => [i.id, i.release]))}`);
      // A restart planned from the records the swap left (only the stopped new set) would orphan the old one.
      const orphans = liveInstances(host.data, { skipTorn: true })
        .map((i) => i.id)
        .filter((id) => !app.instances.some((r) => r.id === id));
      assert.deepEqual(orphans, [], "every instance process of the app is one state records");
      const served = await body(host.url);
      assert.equal(
        served,
        `v${app.instances[0]!.release} hello\n`,
        "the public address serves the recorded release",
      );
    } finally {
      if (agent !== undefined) {
        // A no-op for an agent that already exited; exited() then resolves at once.
        agent.kill("SIGKILL");
        await exited(agent);
      }
      stopHost(host.data);
      unmountTmpfs(disk);
    }
  });

  test("agent killed in the confirmation window, its recovery at start on a full disk, then freed: no orphaned instance, the app serves", async (t) => {
    const disk = mountTmpfs(t, "16m");
    if (disk === undefined) return;
    const base = await makeSwapHost();
    const host = { ...base, data: join(disk, "host") };
    const agents: ChildProcess[] = [];
    try {
      await storeRelease(host, { version: "v1" });
      agents.push(spawnAgent(host, { once: false, poll: "200ms" }));
      await waitFor(
        "v1 to serve",
        async () => ((await body(host.url)) === "v1 hello\n" ? true : undefined),
        60_000,
      );
      agents[0]!.kill("SIGKILL");
      await exited(agents[0]!);
      await storeRelease(host, { version: "v2", confirm: "2s" });
      // Parks right after persisting the phase: killed there, it leaves its swap in state.
      const dying = spawnAgent(host, { env: { SKIFF_TEST_PAUSE_AT: "confirming" } });
      agents.push(dying);
      await waitFor(
        "the swap's confirmation window",
        () => (readApp(host)?.swap?.phase === "confirming" ? true : undefined),
        60_000,
      );
      dying.kill("SIGKILL");
      await exited(dying);
      const filler = fillDisk(disk, 0);
      // The restarted agent takes its lock before the disk is full: held by a long-running agent started now it is not.
      const restarted = spawnAgent(host, { once: false, poll: "200ms" });
      agents.push(restarted);
      const quit = await Promise.race([exited(restarted).then(() => true), sleep(3000).then(() => false)]);
      t.diagnostic(`restarted agent exited on the full disk: ${quit}`);
      rmSync(filler);
      if (quit) agents.push(spawnAgent(host, { once: false, poll: "200ms" }));
      await settledOnRelease2(host);
      const app = readApp(host)!;
      t.diagnostic(`after: ${JSON.stringify(app.instances.map((i) => [i.id, i.release]))}`);
      assert.deepEqual(
        liveInstances(host.data, { skipTorn: true })
          .map((i) => i.id)
          .sort(),
        app.instances.map((i) => i.id).sort(),
        "every instance process of the app is one state records (none orphaned)",
      );
      assert.equal(await body(host.url), `v${app.instances[0]!.release} hello\n`);
    } finally {
      for (const agent of agents) {
        agent.kill("SIGKILL");
        await exited(agent);
      }
      stopHost(host.data);
      unmountTmpfs(disk);
    }
  });
});

/**
 * Waits until the agent settles on the instances it records, release 2 again once space is back (a
 * full disk is no verdict on it), serving: so no start is cut short when the test ends.
 */
async function settledOnRelease2(host: SwapHost): Promise<void> {
  await waitFor(
    "the agent to settle on the instances it records",
    async () => {
      const app = readApp(host);
      if (app === undefined || app.swap !== undefined) return undefined;
      const alive = recordedAlive(app);
      if (alive.length === 0 || alive.length !== app.instances.length) return undefined;
      if (app.instances[0]?.release !== 2 || app.lastDeploy?.ok !== true) return undefined;
      return (await body(host.url)) === undefined ? undefined : true;
    },
    60_000,
  );
}

async function body(url: string): Promise<string | undefined> {
  return httpGet(url).then(
    (r) => (r.status === 200 ? r.body : undefined),
    () => undefined,
  );
}
