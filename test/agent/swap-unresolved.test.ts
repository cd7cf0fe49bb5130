import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isSameProcess, processStartTime } from "../../src/process/index.js";
import { httpGet } from "../support/http.js";
import { stopHost } from "../support/stop-host.js";
import {
  liveInstances,
  makeSwapHost,
  readApp,
  readEvents,
  runAgentOnce,
  spawnAgent,
  storeRelease,
  waitFor,
  type StateApp,
} from "./swap-host.js";
import { exited } from "../support/processes.js";

type SwapSets = { old: StateApp["instances"]; next: StateApp["instances"] };

/** Every id state names: the app's instances and both sets of a swap it still holds. */
function named(app: StateApp | undefined): string[] {
  const swap = app?.swap as unknown as SwapSets | undefined;
  return [...(app?.instances ?? []), ...(swap?.old ?? []), ...(swap?.next ?? [])].map((i) => i.id);
}

test("a swap whose recovery fails is not overtaken by a restart planned from the records it left: the old instance stays named, then the swap resolves", async () => {
  const host = await makeSwapHost();
  try {
    await storeRelease(host, { version: "v1" });
    const first = await runAgentOnce(host);
    assert.equal(first.code, 0, first.stderr);
    await storeRelease(host, { version: "v2", confirm: "2s" });
    // Killed in its confirmation window: state records the new instance, the swap names both sets.
    const dying = spawnAgent(host, { env: { SKIFF_TEST_PAUSE_AT: "confirming" } });
    await waitFor(
      "the confirmation window",
      () => (readApp(host)?.swap?.phase === "confirming" ? true : undefined),
      60_000,
    );
    dying.kill("SIGKILL");
    await exited(dying);
    const swap = readApp(host)!.swap as unknown as SwapSets;
    const [old] = swap.old;
    const [next] = swap.next;
    assert.ok(old !== undefined && next !== undefined);
    assert.deepEqual(
      readApp(host)!.instances.map((i) => i.id),
      [next.id],
    );
    // The new instance dies too: the recovery keeps the old one, the records name only the dead new one.
    process.kill(next.handle.pid, "SIGKILL");
    await waitFor("the new instance to exit", () =>
      isSameProcess(next.handle.pid, next.handle.startTime) ? undefined : true,
    );
    // A live process holds state.lock: every state write of the agent fails (ERR_SKIFF_AGENT_LOCKED after 10 s).
    const lock = join(host.data, "state.lock");
    writeFileSync(lock, JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) }));
    const agent = spawnAgent(host);
    const failures = (): number =>
      readEvents(host.data).filter((e) => e.type === "swap.recovery_failed").length;
    // The start's recovery and the pass's both fail; then the lock is let go, as a freed disk would be.
    await waitFor("two failed recoveries", () => (failures() >= 2 ? true : undefined), 60_000);
    rmSync(lock, { force: true });
    await exited(agent);
    const app = readApp(host)!;
    assert.ok(isSameProcess(old.handle.pid, old.handle.startTime), "the old instance serves on");
    assert.deepEqual(
      liveInstances(host.data)
        .map((i) => i.id)
        .filter((id) => !named(app).includes(id)),
      [],
      "every instance that runs is named by state (the old one by the swap still left)",
    );
    assert.deepEqual(
      liveInstances(host.data).map((i) => i.id),
      [old.id],
      "nothing was started while the swap was unresolved",
    );
    assert.equal((await httpGet(host.url)).body, "v1 hello\n");
    // The next run resolves the swap (old kept) and deploys release 2 again.
    const next2 = await runAgentOnce(host);
    assert.equal(next2.code, 0, next2.stderr);
    const settled = readApp(host)!;
    assert.equal(settled.swap, undefined);
    assert.deepEqual(
      liveInstances(host.data)
        .map((i) => i.id)
        .sort(),
      settled.instances.map((i) => i.id).sort(),
      "every instance that runs is one state records",
    );
    assert.equal((await httpGet(host.url)).body, "v2 hello\n");
  } finally {
    stopHost(host.data);
  }
});
