import assert from "node:assert/strict";
import { test } from "node:test";
import { commitAll, gitSync, writeAndCommit } from "../support/app-repo.js";
import { httpGet, waitForBody } from "../support/http.js";
import { skiffOk } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";
import {
  agentOnce,
  instanceOf,
  makeDeployHost,
  readEvents,
  readStateFile,
  storeNextRelease,
} from "./deploy-host.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

test("build → store → agent --once serves; a second release replaces it; rollback brings the first back", async () => {
  const host = await makeDeployHost();
  assert.equal(await storeNextRelease(host, { version: "v1" }), 1);
  const first = await agentOnce(host);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(await waitForBody(host.url, "v1"), "v1 hello\n");
  const pid1 = instanceOf(host)?.pid;

  assert.equal(await storeNextRelease(host, { version: "v2" }), 2);
  const dryRun = await skiffOk(["agent", "--repo", host.repo, "--data", host.data, "--dry-run"]);
  assert.match(dryRun.stdout, /^deploy hello release 2 \(replacing hello-1-[a-z0-9]{4}\)/);
  assert.equal(instanceOf(host)?.pid, pid1, "a dry run changes nothing");
  assert.equal(await agentOnce(host).then((r) => (r.code === 0 ? 0 : r.stderr)), 0);
  assert.equal((await httpGet(host.url)).body, "v2 hello\n");
  assert.notEqual(instanceOf(host)?.pid, pid1);
  assert.equal(instanceOf(host)?.release, 2);

  await skiffOk(["rollback", host.app, "--repo", host.repo]);
  assert.equal(await agentOnce(host).then((r) => (r.code === 0 ? 0 : r.stderr)), 0);
  assert.equal((await httpGet(host.url)).body, "v1 hello\n");
  assert.equal(instanceOf(host)?.release, 1);

  const events = readEvents(host.data);
  const deploy2 = events.find((e) => e.type === "deploy.started" && e.release === 2)?.deploy;
  // The recreate steps in order; other event types (probes, swap phases) may come in between.
  const core = new Set([
    "deploy.started",
    "release.unpacked",
    "instance.stopped",
    "instance.started",
    "health.ok",
    "deploy.succeeded",
  ]);
  const steps = events
    .filter((e) => e.deploy === deploy2 && core.has(e.type))
    .map((e) => [e.type, e.release]);
  assert.deepEqual(steps, [
    ["deploy.started", 2],
    ["release.unpacked", 2],
    ["instance.stopped", 1],
    ["instance.started", 2],
    ["health.ok", 2],
    ["deploy.succeeded", 2],
  ]);
  const status = JSON.parse((await skiffOk(["status", "--data", host.data, "--json"])).stdout) as {
    app: string;
    release: number;
    status: string;
    pid: number;
    url: string;
    address: string;
  }[];
  assert.deepEqual(
    status.map((s) => [s.app, s.release, s.status, s.pid, s.url]),
    [["hello", 1, "running", instanceOf(host)?.pid, `http://127.0.0.1:${host.port}`]],
  );
  // The public address is the app's port (free at the first deploy); the instance has a port of its own.
  const instancePort = status[0]?.address.split(":")[1];
  assert.notEqual(instancePort, String(host.port));
  const logs = await skiffOk(["logs", host.app, "--data", host.data, "-n", "1"]);
  assert.equal(logs.stdout, `serving v1 on ${instancePort}\n`);
  await skiffOk(["stop", host.app, "--data", host.data]);
});

test("a commit that changes scripts or another file of the deployment repository redeploys nothing", async () => {
  const host = await makeDeployHost();
  await storeNextRelease(host, { version: "v1" });
  assert.equal(await agentOnce(host).then((r) => (r.code === 0 ? 0 : r.stderr)), 0);
  const before = instanceOf(host);
  const clone = join(tempDir(), "clone");
  gitSync(tempDir(), ["clone", "--quiet", host.repo, clone]);
  writeAndCommit(clone, "scripts/deploy.sh", "#!/bin/sh\necho old way\n", "scripts");
  writeAndCommit(clone, "README.md", "deployment repository\n", "readme");
  gitSync(clone, ["push", "--quiet", "origin", "HEAD:main"]);
  const run = await agentOnce(host);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual((JSON.parse(run.stdout) as { actions: unknown[] }).actions, []);
  assert.deepEqual(instanceOf(host), before);
  assert.equal((await httpGet(host.url)).body, "v1 hello\n");
  await skiffOk(["stop", host.app, "--data", host.data]);
});

for (const broken of [
  { fixture: "crash", health: undefined, code: "ERR_SKIFF_INSTANCE_EXITED" },
  {
    fixture: "hang",
    health: "{ http: /, timeout: 1500ms, interval: 100ms }",
    code: "ERR_SKIFF_HEALTH_TIMEOUT",
  },
]) {
  test(`a broken release (${broken.fixture}) leaves the previous release serving and is not retried`, async () => {
    const host = await makeDeployHost();
    await storeNextRelease(host, { version: "v1" });
    assert.equal(await agentOnce(host).then((r) => (r.code === 0 ? 0 : r.stderr)), 0);
    await storeNextRelease(host, {
      fixture: broken.fixture,
      version: "v2",
      ...(broken.health ? { health: broken.health } : {}),
    });
    const failed = await agentOnce(host);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /ERR_SKIFF_DEPLOY_FAILED/);
    assert.equal((await httpGet(host.url)).body, "v1 hello\n");
    const after = instanceOf(host);
    assert.equal(after?.release, 1);
    const deployFailed = readEvents(host.data).find((e) => e.type === "deploy.failed");
    assert.equal(deployFailed?.error?.code, broken.code);
    assert.ok(readEvents(host.data).some((e) => e.type === "deploy.rolled_back"));
    assert.deepEqual(
      readStateFile(host.data).apps.hello?.failed.map((f) => f.release),
      [2],
    );

    const again = await agentOnce(host);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as { actions: unknown[] }).actions, []);
    assert.deepEqual(instanceOf(host), after);
    await skiffOk(["stop", host.app, "--data", host.data]);
  });
}

test("a tampered artifact is refused and the running instance is untouched", async () => {
  const host = await makeDeployHost();
  await storeNextRelease(host, { version: "v1" });
  assert.equal(await agentOnce(host).then((r) => (r.code === 0 ? 0 : r.stderr)), 0);
  const before = instanceOf(host);
  await storeNextRelease(host, { version: "v2" });
  const clone = join(tempDir(), "clone");
  gitSync(tempDir(), ["clone", "--quiet", host.repo, clone]);
  const gz = join(
    "hello",
    "releases",
    "2",
    gitSync(clone, ["ls-tree", "--name-only", "HEAD", "hello/releases/2/"])
      .split("\n")
      .find((p) => p.endsWith(".gz"))!
      .split("/")
      .pop()!,
  );
  const { gzipSync } = await import("node:zlib");
  writeFileSync(join(clone, gz), gzipSync("#!/bin/sh\necho evil\n"));
  commitAll(clone, "tamper");
  gitSync(clone, ["push", "--quiet", "origin", "HEAD:main"]);

  const run = await agentOnce(host);
  assert.equal(run.code, 1);
  const refused = readEvents(host.data).find((e) => e.type === "release.refused");
  assert.ok(
    ["ERR_SKIFF_CHECKSUM_MISMATCH", "ERR_SKIFF_SIZE_MISMATCH", "ERR_SKIFF_ARTIFACT_CORRUPT"].includes(
      refused?.error?.code ?? "",
    ),
    refused?.error?.code,
  );
  assert.deepEqual(instanceOf(host), before);
  assert.equal((await httpGet(host.url)).body, "v1 hello\n");
  assert.equal(readEvents(host.data).filter((e) => e.type === "instance.stopped").length, 0);
  await skiffOk(["stop", host.app, "--data", host.data]);
});

test("an instance that died is restarted by the next pass; an app gone from the repository is left running", async () => {
  const host = await makeDeployHost();
  await storeNextRelease(host, { version: "v1" });
  assert.equal((await agentOnce(host)).code, 0);
  const before = instanceOf(host)!;
  process.kill(-before.pid, "SIGKILL");
  await assert.rejects(httpGet(host.url, 1000));
  const run = await agentOnce(host);
  assert.equal(run.code, 0, run.stderr);
  const after = instanceOf(host)!;
  assert.equal(after.release, 1);
  assert.notEqual(after.pid, before.pid);
  assert.equal((await httpGet(host.url)).body, "v1 hello\n");
  assert.ok(readEvents(host.data).some((e) => e.type === "instance.restarted"));

  const clone = join(tempDir(), "clone");
  gitSync(tempDir(), ["clone", "--quiet", host.repo, clone]);
  gitSync(clone, ["rm", "-r", "--quiet", "hello"]);
  commitAll(clone, "remove hello");
  gitSync(clone, ["push", "--quiet", "origin", "HEAD:main"]);
  assert.equal((await agentOnce(host)).code, 0);
  assert.deepEqual(instanceOf(host), after);
  assert.equal(readEvents(host.data).filter((e) => e.type === "app.removed").length, 1);
  assert.equal((await agentOnce(host)).code, 0);
  assert.equal(readEvents(host.data).filter((e) => e.type === "app.removed").length, 1, "reported once");
  await skiffOk(["stop", host.app, "--data", host.data]);
});
