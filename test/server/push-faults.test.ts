import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { commitAll, gitSync, makeAppRepo, writeFixture } from "../support/app-repo.js";
import { freePort, httpGet, waitForBody } from "../support/http.js";
import { commandOf, processesIn, waitForProcesses } from "../support/processes.js";
import {
  appMain,
  currentIs,
  deployedState,
  quarantinesIn,
  startPush,
  waitForServerEvent,
  type PushProcess,
} from "./push-client.js";
import { startPushProxy, type PushProxyMode } from "./push-proxy.js";
import { gitPush, serverSandbox, type RunningServer } from "./server-harness.js";

interface StageApp {
  app: string;
  dir: string;
  port: number;
  /** In the environment of every build and test process (seen in /proc). */
  mark: string;
  v1: string;
}

/** An app whose build and test take `buildSleep` / `testSleep` seconds, pushed once (v1 serves). */
async function pushedApp(server: RunningServer, app: string, sleeps: { build?: number; test?: number } = {}) {
  const port = await freePort();
  const mark = randomBytes(6).toString("hex");
  const yml = `app: ${app}
build:
  command: mkdir -p _build && cp server.mjs _build/${app} && chmod +x _build/${app} && sleep $BUILD_SLEEP
  test: sleep $TEST_SLEEP; test -x _build/${app}
  timeout: 2m
  matrix:
    - target: unix
      env: { PROBE: "${mark}", BUILD_SLEEP: "0", TEST_SLEEP: "0" }
      artifact: _build/${app}
      deploy: true
deploy:
  driver: unix
  port: 8080
  health: { http: /, timeout: 10s }
  publish: 127.0.0.1:${port}
  # A short window: the embedded agent's pass for another app waits for it.
  confirm: 1s
  drain_timeout: 1s
`;
  const dir = makeAppRepo(join(server.data, "..", `src-${app}`), { app, skiffYml: yml, version: "v1" });
  const first = await gitPush(dir, server.gitUrl(app));
  assert.equal(first.code, 0, first.stderr);
  const v1 = gitSync(dir, ["rev-parse", "HEAD"]);
  // v2: same app, the sleeps of the stage the pusher is killed in.
  writeFixture(dir, "serve", "v2");
  writeFileSync(
    join(dir, "skiff.yml"),
    yml
      .replace('BUILD_SLEEP: "0"', `BUILD_SLEEP: "${sleeps.build ?? 0}"`)
      .replace('TEST_SLEEP: "0"', `TEST_SLEEP: "${sleeps.test ?? 0}"`),
  );
  return { app, dir, port, mark, v1 } satisfies StageApp;
}

async function assertServerAnswers(server: RunningServer): Promise<void> {
  assert.equal((await httpGet(`${server.url}/healthz`)).status, 200);
}

/** Landed whole: main moved, the release stored and current, the deploy went on and serves v2. */
async function assertLanded(server: RunningServer, app: StageApp, v2: string): Promise<void> {
  const event = await waitForServerEvent(
    server.data,
    (e) => e.type === "push.landed" && e.data?.commit === v2,
  );
  assert.equal(event.app, app.app);
  assert.equal(appMain(server.data, app.app), v2);
  assert.ok(currentIs(server.data, app.app, v2), "current names the pushed commit's release");
  assert.equal(await waitForBody(`http://127.0.0.1:${app.port}/`, "v2"), "v2 hello\n");
}

/** Not at all: main and current as before, no release of the commit, nothing of its build still running. */
async function assertNotLanded(server: RunningServer, app: StageApp, v2: string, stage: string) {
  const event = await waitForServerEvent(
    server.data,
    (e) => e.type === "push.cancelled" && e.app === app.app && e.data?.stage === stage,
  );
  if (stage !== "receive") assert.equal(event.data?.commit, v2);
  assert.equal(appMain(server.data, app.app), app.v1);
  const deployed = deployedState(server.data, app.app, v2);
  assert.equal(deployed.current, 1);
  assert.equal(deployed.hasCommit, false, "a release of the cancelled push was stored");
  await waitForProcesses(`PROBE=${app.mark}`, "gone", 5000);
  assert.deepEqual(quarantinesIn(join(server.data, "apps", `${app.app}.git`)), []);
  assert.equal((await httpGet(`http://127.0.0.1:${app.port}/`)).body, "v1 hello\n");
}

async function killAt(push: PushProcess, pattern: RegExp): Promise<void> {
  await push.waitFor(pattern);
  await push.kill();
}

describe("a push whose client goes away, at each stage", () => {
  const sandbox = serverSandbox();
  let server: RunningServer;
  before(async () => {
    server = await sandbox.start();
  });

  it("during the upload: nothing lands, the server answers and git's quarantine is gone", async () => {
    const app = await pushedApp(server, "cut-upload");
    // Incompressible, so the upload takes more than the bytes the proxy lets through.
    writeFileSync(join(app.dir, "blob.bin"), randomBytes(3 * 1024 * 1024));
    const v2 = commitAll(app.dir, "v2 with a big file");
    const mode: PushProxyMode = { kind: "stall-upload", afterBytes: 256 * 1024 };
    const proxy = await startPushProxy(server.url, server.token, mode);
    try {
      const push = startPush(app.dir, proxy.gitUrl(app.app));
      await proxy.stalled;
      await push.kill();
      await assertNotLanded(server, app, v2, "receive");
      await assertServerAnswers(server);
    } finally {
      proxy.close();
    }
  });

  it("during the build: nothing lands and the build's processes are gone", async () => {
    const app = await pushedApp(server, "cut-build", { build: 60 });
    const v2 = commitAll(app.dir, "v2");
    await killAt(startPush(app.dir, server.gitUrl(app.app)), /-----> build unix/);
    await assertNotLanded(server, app, v2, "build");
    await assertServerAnswers(server);
  });

  it("during the tests: nothing lands and the test's processes are gone", async () => {
    const app = await pushedApp(server, "cut-test", { test: 60 });
    const v2 = commitAll(app.dir, "v2");
    await killAt(startPush(app.dir, server.gitUrl(app.app)), /-----> test unix/);
    await assertNotLanded(server, app, v2, "test");
    await assertServerAnswers(server);
  });

  it("during the store: the push lands whole", async () => {
    const app = await pushedApp(server, "cut-store");
    const v2 = commitAll(app.dir, "v2");
    await killAt(startPush(app.dir, server.gitUrl(app.app)), /-----> store/);
    await assertLanded(server, app, v2);
    await assertServerAnswers(server);
  });

  it("when git receive-pack dies past the store, the server moves main itself", async () => {
    const app = await pushedApp(server, "dead-git");
    const v2 = commitAll(app.dir, "v2");
    const push = startPush(app.dir, server.gitUrl(app.app));
    await push.waitFor(/-----> store/);
    const repo = join(server.data, "apps", `${app.app}.git`);
    const receivePacks = processesIn(repo).filter((pid) => commandOf(pid).includes("receive-pack"));
    assert.equal(receivePacks.length, 1);
    process.kill(receivePacks[0]!, "SIGKILL");
    try {
      await assertLanded(server, app, v2);
      const landed = await waitForServerEvent(
        server.data,
        (e) => e.type === "push.landed" && e.data?.commit === v2,
      );
      assert.equal(landed.data?.by, "server");
    } finally {
      // git's client may wait forever on a receive-pack that died mid-answer (the server ended it).
      await push.kill();
    }
  });

  it("during the deploy: the deploy goes on and the push lands whole", async () => {
    const app = await pushedApp(server, "cut-deploy");
    const v2 = commitAll(app.dir, "v2");
    await killAt(startPush(app.dir, server.gitUrl(app.app)), /-----> deploy/);
    await assertLanded(server, app, v2);
    const api = await fetch(`${server.url}/api/apps`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    const listed = ((await api.json()) as { apps: { app: string; current: number; status: string }[] }).apps;
    // Release 2 serves: running, or still in its confirmation window.
    const shown = listed.filter((a) => a.app === app.app).map((a) => [a.current, a.status]);
    assert.equal(shown.length, 1);
    assert.equal(shown[0]![0], 2);
    assert.match(String(shown[0]![1]), /^(running|confirming)$/);
    await assertServerAnswers(server);
  });
});

describe("slow and silent clients", () => {
  const sandbox = serverSandbox();
  let server: RunningServer;
  before(async () => {
    server = await sandbox.start();
  });

  it("a client that reads the answer slowly gets it all, and the push lands", async () => {
    const app = await pushedApp(server, "slow-reader");
    const v2 = commitAll(app.dir, "v2");
    const proxy = await startPushProxy(server.url, server.token, {
      kind: "slow-answer",
      bytesPerSecond: 2048,
    });
    try {
      const push = startPush(app.dir, proxy.gitUrl(app.app));
      const { code, output } = await push.done;
      assert.equal(code, 0, output);
      assert.match(output, /released slow-reader v2/);
      await assertLanded(server, app, v2);
    } finally {
      proxy.close();
    }
  });

  it("a client that never reads its answer does not hold the push: it lands", async () => {
    const app = await pushedApp(server, "no-reader");
    const v2 = commitAll(app.dir, "v2");
    const proxy = await startPushProxy(server.url, server.token, { kind: "never-read" });
    const push = startPush(app.dir, proxy.gitUrl(app.app));
    try {
      await assertLanded(server, app, v2);
      await assertServerAnswers(server);
      // Nor the app's slot: the next push goes through while that client still hangs on.
      writeFixture(app.dir, "serve", "v3");
      commitAll(app.dir, "v3");
      const next = await gitPush(app.dir, server.gitUrl(app.app));
      assert.equal(next.code, 0, next.stderr);
      assert.equal(await waitForBody(`http://127.0.0.1:${app.port}/`, "v3"), "v3 hello\n");
    } finally {
      await push.kill();
      proxy.close();
    }
  });
});
