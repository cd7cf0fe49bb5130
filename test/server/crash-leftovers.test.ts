import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { commitAll, writeFixture } from "../support/app-repo.js";
import { waitForBody } from "../support/http.js";
import { waitForProcesses } from "../support/processes.js";
import { skiffOk } from "../support/run-skiff.js";
import {
  appMain,
  deployedState,
  quarantinesIn,
  serverBuilds,
  startPush,
  waitForServerEvent,
} from "./push-client.js";
import { gitPush, makeServedApp, serverSandbox } from "./server-harness.js";

describe("a server killed during a build", () => {
  it("leaves no build running, and its next start removes the build's leftovers and the quarantines", async () => {
    const sandbox = serverSandbox();
    const server = await sandbox.start();
    const mark = randomBytes(6).toString("hex");
    const { dir } = await makeServedApp(join(sandbox.root, "app"), "crashy", "v1");
    assert.equal((await gitPush(dir, server.gitUrl("crashy"))).code, 0);
    const yml = `app: crashy
build:
  command: mkdir -p _build && cp server.mjs _build/crashy && chmod +x _build/crashy && sleep 600
  timeout: 20m
  matrix:
    - target: unix
      env: { PROBE: "${mark}" }
      artifact: _build/crashy
      deploy: true
`;
    writeFileSync(join(dir, "skiff.yml"), yml);
    writeFixture(dir, "serve", "v2");
    commitAll(dir, "v2 builds for ten minutes");
    const push = startPush(dir, server.gitUrl("crashy"));
    await push.waitFor(/-----> build unix/);
    await waitForProcesses(`PROBE=${mark}`, "present", 20_000);
    // What a store killed mid-way leaves in the deployment repository: its quarantine of objects.
    const storeQuarantine = join(server.data, "deploy.git", "objects", "tmp_objdir-skiff-Xy12Ab");
    mkdirSync(join(storeQuarantine, "pack"), { recursive: true });
    writeFileSync(join(storeQuarantine, "pack", "pack-1.pack"), randomBytes(1024 * 1024));
    assert.ok(readdirSync(join(server.data, "tmp")).length > 0, "the push had scratch files in DATA/tmp");

    await server.crash();
    // Its sandbox dies with it (bubblewrap's --die-with-parent): the build does not run on.
    await waitForProcesses(`PROBE=${mark}`, "gone", 5000);
    await push.kill();
    const unfinished = serverBuilds(server.data, "crashy").filter((build) => build.status === "running");
    assert.equal(unfinished.length, 1);

    const again = await sandbox.restart(server);
    const removed = await waitForServerEvent(again.data, (e) => e.type === "server.leftovers_removed");
    assert.ok((removed.data?.bytes as number) >= 1024 * 1024, JSON.stringify(removed));
    assert.deepEqual(readdirSync(join(again.data, "tmp")), []);
    assert.equal(existsSync(storeQuarantine), false);
    assert.deepEqual(quarantinesIn(join(again.data, "deploy.git")), []);
    assert.deepEqual(quarantinesIn(join(again.data, "apps", "crashy.git")), []);
    assert.deepEqual(
      serverBuilds(again.data, "crashy").map((build) => build.status),
      ["succeeded"],
      "the unfinished build folder is gone, the finished one kept",
    );
    // skiff builds lists what is kept, with its logs.
    const listed = await skiffOk(["builds", "crashy", "--data", again.data]);
    assert.match(listed.stdout, /crashy +\S+ +succeeded/);
    assert.match(listed.stdout, /unix build: \S+\/logs\/unix\/build\.log/);
    // And the server serves pushes again.
    writeFileSync(join(dir, "skiff.yml"), yml.replace(" && sleep 600", ""));
    commitAll(dir, "v2, quick");
    const next = await gitPush(dir, again.gitUrl("crashy"));
    assert.equal(next.code, 0, next.stderr);
  });

  it("lands at its next start a push whose release was stored when it died, before git moved main", async () => {
    const sandbox = serverSandbox();
    const server = await sandbox.start();
    const { dir, port } = await makeServedApp(join(sandbox.root, "app"), "stored", "v1");
    assert.equal((await gitPush(dir, server.gitUrl("stored"))).code, 0);
    writeFixture(dir, "serve", "v2");
    const v2 = commitAll(dir, "v2");
    const push = startPush(dir, server.gitUrl("stored"));
    // Stored and current: the pipeline is deploying; git moves main only once the hook answers.
    await push.waitFor(/-----> deploy stored v2/);
    await server.crash();
    await push.kill();
    assert.notEqual(appMain(server.data, "stored"), v2);
    const again = await sandbox.restart(server);
    const landed = await waitForServerEvent(
      again.data,
      (e) => e.type === "push.landed" && e.data?.commit === v2,
    );
    assert.equal(landed.data?.stage, "start");
    assert.equal(appMain(again.data, "stored"), v2);
    assert.equal(await waitForBody(`http://127.0.0.1:${port}/`, "v2", 20_000, { fresh: true }), "v2 hello\n");
  });

  it("settles at its next start a push killed between its store and its failed deploy: current names the release that serves", async () => {
    const sandbox = serverSandbox();
    const server = await sandbox.start();
    const { dir, port } = await makeServedApp(join(sandbox.root, "app"), "settled", "v1");
    assert.equal((await gitPush(dir, server.gitUrl("settled"))).code, 0);
    const v1 = appMain(server.data, "settled");
    // Boots and never serves: its health check fails after 10 s.
    writeFixture(dir, "hang", "v2");
    const v2 = commitAll(dir, "v2 never serves");
    const push = startPush(dir, server.gitUrl("settled"));
    await push.waitFor(/-----> deploy settled v2/);
    assert.equal(deployedState(server.data, "settled").current, 2, "release 2 is stored and current");
    await server.crash();
    await push.kill();
    const again = await sandbox.restart(server);
    const refused = await waitForServerEvent(
      again.data,
      (e) => e.type === "push.refused" && e.data?.commit === v2,
      90_000,
    );
    assert.equal(refused.data?.stage, "start");
    assert.equal(deployedState(again.data, "settled").current, 1, "current names the release that serves");
    assert.equal(appMain(again.data, "settled"), v1, "main did not move to the failed push");
    assert.equal(await waitForBody(`http://127.0.0.1:${port}/`, "v1", 20_000, { fresh: true }), "v1 hello\n");
    assert.deepEqual(readdirSync(join(again.data, "pending-pushes")), [], "the push is settled");
  });
});
