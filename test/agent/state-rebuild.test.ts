import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  planStateRebuild,
  readState,
  watchStateLoss,
  writeState,
  type InstanceRecord,
} from "../../src/agent/index.js";
import { EventBus, type SkiffEvent } from "../../src/events/index.js";
import { isSameProcess } from "../../src/process/index.js";
import { httpGet } from "../support/http.js";
import { SKIFF_BIN } from "../support/paths.js";
import { tempDir } from "../support/temp.js";
import { runSkiff, type SkiffRun } from "../support/run-skiff.js";
import { makeAppsHost, storeApp, type AppsHost } from "./apps-host.js";
import { liveInstances, readEvents, waitFor, type StateApp } from "./swap-host.js";

function agentOnce(host: AppsHost): Promise<SkiffRun> {
  return runSkiff(["agent", "--repo", host.repo, "--data", host.data, "--once", "--json"]);
}

function readHello(host: AppsHost): StateApp {
  const state = JSON.parse(readFileSync(join(host.data, "state.json"), "utf8")) as {
    apps: Record<string, StateApp>;
  };
  assert.ok(state.apps.hello, "state.json names hello");
  return state.apps.hello;
}

interface Rebuilt {
  at: number;
  reason: string;
  movedTo?: string;
  apps: Record<string, { adopted: string[]; stray: string[]; publicAddress?: string; failed: number[] }>;
}

/** The host's state.rebuilt event and where it is in the event log. */
function rebuiltEvent(host: AppsHost): Rebuilt {
  const events = readEvents(host.data);
  const at = events.findIndex((e) => e.type === "state.rebuilt");
  assert.ok(at >= 0, "a state.rebuilt event");
  return { at, ...(events[at]!.data as Omit<Rebuilt, "at">) };
}

function deploysSince(host: AppsHost, at: number): (number | undefined)[] {
  return readEvents(host.data)
    .slice(at)
    .filter((e) => e.type === "deploy.started")
    .map((e) => e.release);
}

const damage = {
  corrupt: (path: string) => writeFileSync(path, '{ "version": 2, "apps": { "hello": '),
  missing: (path: string) => rmSync(path),
};

describe("a lost or corrupt state.json is rebuilt from what runs", () => {
  for (const kind of ["corrupt", "missing"] as const) {
    test(`${kind} state.json is rebuilt with the same public address and the running instance adopted`, async () => {
      const host = makeAppsHost();
      // No deploy.publish: the public address is the one skiff assigned, known to state and the door only.
      await storeApp(host, { app: "hello", version: "v1", publish: false });
      const first = await agentOnce(host);
      assert.equal(first.code, 0, first.stderr);
      const before = readHello(host);
      const address = before.publicAddress;
      const id = before.instances[0]!.id;
      assert.ok(address, "skiff assigned a public address");
      assert.equal((await httpGet(`http://${address}/`)).body, "v1 hello\n");

      damage[kind](join(host.data, "state.json"));
      const rebuilt = await agentOnce(host);
      assert.equal(rebuilt.code, 0, rebuilt.stderr);

      const after = readHello(host);
      assert.equal(after.publicAddress, address, "the public address survived");
      assert.deepEqual(
        after.instances.map((i) => i.id),
        [id],
        "the running instance was adopted",
      );
      assert.deepEqual(
        liveInstances(host.data).map((i) => i.id),
        [id],
        "no second instance, no orphan",
      );
      assert.equal((await httpGet(`http://${address}/`)).body, "v1 hello\n");
      const event = rebuiltEvent(host);
      assert.equal(event.reason, kind);
      assert.deepEqual(event.apps.hello, { adopted: [id], stray: [], publicAddress: address, failed: [] });
      assert.deepEqual(deploysSince(host, event.at), [], "nothing was deployed again");
      if (kind === "corrupt") {
        assert.ok(event.movedTo, "the corrupt file was moved aside");
        assert.match(readFileSync(event.movedTo, "utf8"), /"hello": $/, "and kept as it was");
        assert.ok(readdirSync(host.data).some((f) => f.startsWith("state.json.corrupt-")));
      }
    });
  }

  test("a release that failed before the state was lost is not redeployed", async () => {
    const host = makeAppsHost();
    await storeApp(host, { app: "hello", version: "v1" });
    assert.equal((await agentOnce(host)).code, 0);
    await storeApp(host, { app: "hello", version: "v2", fixture: "crash" });
    await agentOnce(host);
    const before = readHello(host);
    assert.deepEqual(
      before.failed.map((f) => f.release),
      [2],
      "release 2 failed and v1 kept serving",
    );
    assert.ok(existsSync(join(host.data, "history.json")));
    const deploysBefore = deploysSince(host, 0).length;

    rmSync(join(host.data, "state.json"));
    const rebuilt = await agentOnce(host);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.equal(deploysSince(host, 0).length, deploysBefore, "release 2 was not tried again");
    const after = readHello(host);
    assert.deepEqual(
      after.failed.map((f) => f.release),
      [2],
    );
    assert.deepEqual(
      after.instances.map((i) => i.id),
      before.instances.map((i) => i.id),
    );
    assert.equal((await httpGet(`http://${host.publish.get("hello")}/`)).body, "v1 hello\n");
    assert.deepEqual(rebuiltEvent(host).apps.hello?.failed, [2]);
  });
});

describe("planStateRebuild (pure)", () => {
  const record = (id: string, release: number): InstanceRecord => ({
    id,
    driver: "unix",
    app: "hello",
    release,
    address: { host: "127.0.0.1", port: 4000 + release },
    handle: { pid: 1, startTime: "1" },
    logPath: "",
    startedAt: "",
    reason: "deploy",
  });
  const at = "2026-01-01T00:00:00.000Z";

  test("adopts what the door routes to; another running instance is the new side of a swap, to be stopped", () => {
    const { state, apps } = planStateRebuild({
      instances: [
        { record: record("hello-1-aaaa", 1), running: true },
        { record: record("hello-2-bbbb", 2), running: true },
        { record: record("hello-1-dead", 1), running: false },
      ],
      door: new Map([["hello", { publish: "127.0.0.1:8080", ready: ["hello-1-aaaa"] }]]),
      history: {
        version: 1,
        apps: { hello: { failed: [{ release: 2, ok: false, at }], observedCurrent: 2 } },
      },
      at,
    });
    const hello = state.apps.hello!;
    assert.deepEqual(
      hello.instances.map((i) => i.id),
      ["hello-1-aaaa"],
    );
    assert.deepEqual(
      [hello.swap?.phase, hello.swap?.old.map((i) => i.id), hello.swap?.next.map((i) => i.id)],
      ["checking", ["hello-1-aaaa"], ["hello-2-bbbb"]],
    );
    assert.deepEqual([hello.publicAddress, hello.observedCurrent], ["127.0.0.1:8080", 2]);
    assert.deepEqual(apps.hello, {
      adopted: ["hello-1-aaaa"],
      stray: ["hello-2-bbbb"],
      publicAddress: "127.0.0.1:8080",
      failed: [2],
    });
  });

  test("without the door's word, the running instances of the newest release are adopted", () => {
    const { state } = planStateRebuild({
      instances: [
        { record: record("hello-1-aaaa", 1), running: true },
        { record: record("hello-2-bbbb", 2), running: true },
      ],
      door: new Map(),
      at,
    });
    assert.deepEqual(
      state.apps.hello?.instances.map((i) => i.id),
      ["hello-2-bbbb"],
    );
    assert.deepEqual(
      state.apps.hello?.swap?.next.map((i) => i.id),
      ["hello-1-aaaa"],
    );
  });
});

/**
 * hello v1 served by one agent run, then its instance left out of state.json while it still runs,
 * as by an agent SIGKILLed after its driver started the instance and before state.json named it;
 * `withRecord: false`: its own record gone too, as when the disk was full for both writes.
 */
async function unrecordedInstance(
  host: AppsHost,
  withRecord: boolean,
): Promise<StateApp["instances"][number]> {
  await storeApp(host, { app: "hello", version: "v1" });
  const first = await agentOnce(host);
  assert.equal(first.code, 0, first.stderr);
  const stray = readHello(host).instances[0]!;
  const record = join(host.data, "instances", stray.id, "instance.json");
  assert.ok(existsSync(record), "its own record");
  if (!withRecord) rmSync(record);
  const path = join(host.data, "state.json");
  const state = JSON.parse(readFileSync(path, "utf8")) as { apps: Record<string, StateApp> };
  state.apps.hello!.instances = [];
  writeFileSync(path, JSON.stringify(state));
  assert.ok(isSameProcess(stray.handle.pid, stray.handle.startTime), "the stray still runs");
  return stray;
}

const strays = [
  { withRecord: true, runs: "with only its own record (state.json never named it)" },
  { withRecord: false, runs: "with neither state.json nor its own record naming it (both writes failed)" },
];

for (const { withRecord, runs } of strays) {
  test(`an instance that runs ${runs} is stopped at the agent's next start (instance.stray_stopped)`, async () => {
    const host = makeAppsHost();
    const stray = await unrecordedInstance(host, withRecord);
    const pid = stray.handle.pid;

    const next = await agentOnce(host);
    assert.equal(next.code, 0, next.stderr);
    const stopped = readEvents(host.data).filter((e) => e.type === "instance.stray_stopped");
    assert.deepEqual(
      stopped.map((e) => (e.data as { instance: string }).instance),
      [stray.id],
    );
    assert.ok(!isSameProcess(pid, stray.handle.startTime), "the stray is gone");
    const live = liveInstances(host.data);
    assert.equal(live.length, 1, "one instance serves: the one this start recorded");
    assert.notEqual(live[0]!.id, stray.id);
  });

  test(`skiff stop also stops an instance of the app that runs ${runs}`, async () => {
    const host = makeAppsHost();
    // No agent started since (the host is being stopped).
    const stray = await unrecordedInstance(host, withRecord);

    const stop = await runSkiff(["stop", "hello", "--data", host.data]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout + stop.stderr, new RegExp(`stopped ${stray.id} \\(release 1\\)`));
    assert.ok(!isSameProcess(stray.handle.pid, stray.handle.startTime), "the stray is gone");
  });
}

test("state.json deleted while the agent runs is rebuilt from what runs: same instance, same public address, nothing deployed again", async () => {
  const host = makeAppsHost();
  await storeApp(host, { app: "hello", version: "v1", publish: false });
  const agent = spawn(
    process.execPath,
    [SKIFF_BIN, "agent", "--repo", host.repo, "--data", host.data, "--poll", "300ms"],
    { env: { ...process.env, SKIFF_LOG_LEVEL: "silent" }, stdio: "ignore" },
  );
  const exited = new Promise((resolve) => agent.once("exit", resolve));
  try {
    const before = await waitFor("hello deployed", () => {
      const app = existsSync(join(host.data, "state.json")) ? readHello(host) : undefined;
      return app?.instances[0] && app.publicAddress && app.lastDeploy?.ok === true ? app : undefined;
    });
    // Deleted between writes: a file deleted while a write that read it is in flight (the deploy's
    // last records) comes back whole from that write, with nothing lost to rebuild. Two passes
    // since the last write: the agent has gone quiet.
    await waitFor("two passes since the last state write", () => {
      const written = statSync(join(host.data, "state.json")).mtimeMs;
      const passes = readEvents(host.data).filter(
        (e) => e.type === "agent.planned" && Date.parse(e.time) > written,
      );
      return passes.length >= 2 ? true : undefined;
    });
    const address = before.publicAddress!;
    const id = before.instances[0]!.id;
    assert.equal((await httpGet(`http://${address}/`)).body, "v1 hello\n");

    rmSync(join(host.data, "state.json"));
    // Whatever the agent has done by now, status answers.
    const status = await runSkiff(["status", "--data", host.data, "--json"]);
    assert.equal(status.code, 0, status.stderr);
    const event = await waitFor("state.rebuilt while running", () =>
      readEvents(host.data).find((e) => e.type === "state.rebuilt" && e.data?.during === "run"),
    );
    assert.equal(event.data?.reason, "missing");
    // A few passes later: still the one instance, at the same address.
    await sleep(1500);
    const after = readHello(host);
    assert.equal(after.publicAddress, address, "the public address did not move");
    assert.deepEqual(
      after.instances.map((i) => i.id),
      [id],
      "the running instance was adopted",
    );
    assert.deepEqual(
      liveInstances(host.data).map((i) => i.id),
      [id],
      "no second instance, no orphan",
    );
    const at = readEvents(host.data).findIndex((e) => e.type === "state.rebuilt" && e.data?.during === "run");
    assert.deepEqual(deploysSince(host, at), [], "nothing was deployed again");
    assert.equal((await httpGet(`http://${address}/`)).body, "v1 hello\n");
    const again = await runSkiff(["status", "--data", host.data, "--json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /hello/);
  } finally {
    agent.kill("SIGTERM");
    await exited;
  }
});

test("a state.json first written after the agent started, deleted before its next pass, is still rebuilt at that pass", async () => {
  // The agent starts on a new host (no state yet), its first pass writes state.json, and it is
  // deleted before a second pass has looked: lost all the same, not "never written".
  const data = tempDir();
  const seen: SkiffEvent[] = [];
  const events = new EventBus().add({ emit: (event) => seen.push(event) });
  const watch = watchStateLoss(data, events);
  try {
    await watch.check();
    assert.equal(existsSync(join(data, "state.json")), false, "a new host's first pass writes nothing");
    writeState(data, { version: 2, apps: {} });
    rmSync(join(data, "state.json"));
    await watch.check();
    assert.ok(existsSync(join(data, "state.json")), "rebuilt at the next pass");
    assert.deepEqual(readState(data).apps, {});
    assert.deepEqual(
      seen.filter((e) => e.type === "state.rebuilt").map((e) => e.data?.during),
      ["run"],
    );
  } finally {
    watch.unwatch();
  }
});
