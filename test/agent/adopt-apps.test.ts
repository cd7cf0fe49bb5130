import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { readStatus, startAgent, stopApp } from "../../src/agent/index.js";
import { isSameProcess } from "../../src/process/index.js";
import { httpGetFresh, waitForBody } from "../support/http.js";
import { SKIFF_BIN } from "../support/paths.js";
import { connectFrontDoor, frontDoorDir, readFrontRecord } from "../../src/proxy/index.js";
import { appEvents, appUrl, makeAppsHost, storeApp, type AppsHost } from "./apps-host.js";
import { readEvents, waitFor } from "./swap-host.js";
import { exited } from "../support/processes.js";

interface Recorded {
  id: string;
  release: number;
  reason?: string;
  handle: { pid: number; startTime: string };
}

function recorded(host: AppsHost): Map<string, Recorded[]> {
  const state = JSON.parse(readFileSync(join(host.data, "state.json"), "utf8")) as {
    apps: Record<string, { instances: Recorded[] }>;
  };
  return new Map(Object.entries(state.apps).map(([app, s]) => [app, s.instances]));
}

function spawnAgent(host: AppsHost) {
  const child = spawn(
    process.execPath,
    [SKIFF_BIN, "agent", "--repo", host.repo, "--data", host.data, "--poll", "300ms"],
    {
      env: { ...process.env, SKIFF_LOG_LEVEL: "silent" },
      stdio: "ignore",
    },
  );
  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return child;
}

test("an agent restarted after a SIGKILL adopts every instance of 20 apps: same processes, nothing started again", async () => {
  const host = makeAppsHost();
  const apps = Array.from({ length: 20 }, (_, i) => `app${String(i).padStart(2, "0")}`);
  for (const app of apps) await storeApp(host, { app, version: `${app}-v1` });
  const agent = spawnAgent(host);
  for (const app of apps)
    await waitForBody(appUrl(host, app), `${app}-v1`, 60_000, { fresh: true }).catch(
      async (error: unknown) => {
        // What the agent did for the app and what the door routes for it: the failure says which side stalled.
        const events = appEvents(host, app).map(
          (e) => `${e.type}${e.release === undefined ? "" : ` ${e.release}`}`,
        );
        const dir = frontDoorDir(host.data);
        const record = readFrontRecord(dir);
        const door =
          record === undefined
            ? undefined
            : await connectFrontDoor(dir, record.pid)
                .app(app)
                .catch(() => undefined);
        throw new Error(
          `${(error as Error).message}; ${app}'s events: ${events.join(", ")}; its door backends: ${JSON.stringify(door?.backends)}`,
        );
      },
    );
  await waitFor(
    "every app to be recorded with its instance",
    () => {
      const now = recorded(host);
      return apps.every((app) => now.get(app)?.length === 1) ? true : undefined;
    },
    30_000,
  );
  agent.kill("SIGKILL");
  await exited(agent);
  const before = recorded(host);
  const startsBefore = readEvents(host.data).filter((e) => e.type === "instance.started").length;

  const restarted = await startAgent({ repo: host.repo, data: host.data, pollMs: 60_000, once: true });
  assert.equal(restarted.status().lastError, undefined, JSON.stringify(restarted.status().lastError));
  const adopted = new Set(
    readEvents(host.data)
      .filter((e) => e.type === "instance.adopted")
      .map((e) => String(e.data?.instance)),
  );
  for (const app of apps) {
    const [instance] = before.get(app) ?? [];
    assert.ok(instance, `${app} had an instance`);
    assert.ok(adopted.has(instance.id), `${app}'s ${instance.id} was adopted`);
    assert.ok(isSameProcess(instance.handle.pid, instance.handle.startTime), `${app}'s process still runs`);
    assert.deepEqual(
      recorded(host)
        .get(app)
        ?.map((i) => [i.id, i.reason]),
      [[instance.id, "deploy"]],
    );
    assert.equal((await httpGetFresh(appUrl(host, app))).body, `${app}-v1 hello\n`);
  }
  assert.equal(
    readEvents(host.data).filter((e) => e.type === "instance.started").length,
    startsBefore,
    "no instance was started again",
  );
});

test("an agent adopts the instance a version 1 state.json records, and writes version 2", async () => {
  const host = makeAppsHost();
  await storeApp(host, { app: "hello", version: "v1" });
  await startAgent({ repo: host.repo, data: host.data, pollMs: 60_000, once: true });
  assert.equal((await httpGetFresh(appUrl(host, "hello"))).body, "v1 hello\n");
  // What an older agent would have left: version 1, one instance per app, no reasons.
  const path = join(host.data, "state.json");
  const v2 = JSON.parse(readFileSync(path, "utf8")) as {
    version: number;
    apps: Record<string, { instances?: (Recorded & { reason?: string })[]; instance?: Recorded }>;
  };
  const app = v2.apps.hello!;
  const { reason: _reason, ...instance } = app.instances![0]!;
  delete app.instances;
  app.instance = instance;
  writeFileSync(path, JSON.stringify({ ...v2, version: 1 }, null, 2));

  await startAgent({ repo: host.repo, data: host.data, pollMs: 60_000, once: true });
  const events = readEvents(host.data);
  assert.ok(events.some((e) => e.type === "instance.adopted" && e.data?.instance === instance.id));
  assert.equal(events.filter((e) => e.type === "instance.started").length, 1, "nothing was started again");
  assert.equal((await httpGetFresh(appUrl(host, "hello"))).body, "v1 hello\n");
  const [status] = await readStatus(host.data);
  assert.deepEqual(
    status?.instances.map((i) => [i.id, i.reason, i.status]),
    [[instance.id, "deploy", "running"]],
  );
  // The next change writes version 2.
  assert.deepEqual(
    (await stopApp(host.data, "hello")).map((i) => i.id),
    [instance.id],
  );
  const written = JSON.parse(readFileSync(path, "utf8")) as typeof v2;
  assert.equal(written.version, 2);
  assert.deepEqual([written.apps.hello?.instance, written.apps.hello?.instances], [undefined, []]);
});
