import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { makeDeployHost, storeNextRelease } from "../agent/deploy-host.js";
import { commitAll, defaultSkiffYml, makeAppRepo, writeFixture } from "../support/app-repo.js";
import { freePort, httpGet, waitForBody } from "../support/http.js";
import { SKIFF_BIN } from "../support/paths.js";
import { parsePrometheus, sampleValue, type Sample } from "../support/prometheus.js";
import { gitPush, serverSandbox } from "./server-harness.js";

async function scrape(url: string): Promise<Sample[]> {
  const response = await httpGet(`${url}/metrics`);
  assert.equal(response.status, 200);
  return parsePrometheus(response.body);
}

/** Scrapes until the sample has the value (bounded): events reach the metrics as the agent emits them. */
async function waitForSample(
  url: string,
  name: string,
  labels: Record<string, string>,
  expected: number,
): Promise<Sample[]> {
  const deadline = Date.now() + 20_000;
  let samples = await scrape(url);
  while (sampleValue(samples, name, labels) !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    samples = await scrape(url);
  }
  assert.equal(sampleValue(samples, name, labels), expected, `${name} ${JSON.stringify(labels)}`);
  return samples;
}

function openConnection(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

const app = { app: "hello" };

describe("metrics", () => {
  it("the server's /metrics after a deploy, a failed deploy and a rollback inside the confirmation window", async () => {
    const sandbox = serverSandbox();
    const server = await sandbox.start();
    const port = await freePort();
    const dir = join(sandbox.root, "app");
    const yml = (extra: string) => defaultSkiffYml("hello", `  publish: 127.0.0.1:${port}\n${extra}`);
    makeAppRepo(dir, { app: "hello", version: "v1", skiffYml: yml("  confirm: 1s\n") });
    {
      const pushed = await gitPush(dir, server.gitUrl("hello"));
      assert.equal(pushed.code, 0, pushed.stderr);
    }

    let samples = await waitForSample(server.url, "skiff_deploys_total", { ...app, result: "succeeded" }, 1);
    const value = (name: string, labels: Record<string, string>) => sampleValue(samples, name, labels);
    assert.equal(value("skiff_deploy_duration_seconds_count", { ...app, result: "succeeded" }), 1);
    // A first deploy has no confirmation window (nothing to go back to): its duration is the boot and check.
    assert.ok(value("skiff_deploy_duration_seconds_sum", { ...app, result: "succeeded" })! > 0);
    assert.equal(value("skiff_boot_duration_seconds_count", app), 1);
    assert.equal(value("skiff_health_check_duration_seconds_count", { ...app, result: "ok" }), 1);
    assert.equal(value("skiff_instances", { ...app, state: "running" }), 1);
    assert.equal(
      value("skiff_app_info", { ...app, release: "1", sync_status: "synced", health_status: "healthy" }),
      1,
    );
    assert.equal(value("skiff_pushes_total", { outcome: "stored" }), 1);
    assert.equal(value("skiff_front_open_connections", app), 0);
    // A connection held open through the public address is counted while it is open.
    await waitForBody(`http://127.0.0.1:${port}/`, "v1");
    const held = await openConnection(port);
    try {
      await waitForSample(server.url, "skiff_front_open_connections", app, 1);
    } finally {
      held.destroy();
    }
    // The front door's own totals: the connections made through the public address and their bytes
    // (a port-published app is TCP to HAProxy: its requests are counted on the shared listener only).
    let counted = await scrape(server.url);
    for (let i = 0; i < 100 && (sampleValue(counted, "skiff_front_connections_total", app) ?? 0) < 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      counted = await scrape(server.url);
    }
    assert.ok((sampleValue(counted, "skiff_front_connections_total", app) ?? 0) >= 1, "connections counted");
    assert.ok((sampleValue(counted, "skiff_front_bytes_total", { ...app, direction: "out" }) ?? 0) > 0);
    assert.equal(sampleValue(counted, "skiff_front_errors_total", { ...app, kind: "connect" }), 0);

    // Build and tests pass; the unikernel never answers its health check.
    writeFixture(dir, "hang", "v2");
    writeFileSync(join(dir, "skiff.yml"), yml("  confirm: 1s\n").replace("timeout: 10s", "timeout: 2s"));
    commitAll(dir, "v2 hangs");
    assert.notEqual((await gitPush(dir, server.gitUrl("hello"))).code, 0);
    samples = await waitForSample(server.url, "skiff_deploys_total", { ...app, result: "failed" }, 1);
    assert.equal(value("skiff_health_check_duration_seconds_count", { ...app, result: "failed" }), 1);
    assert.equal(value("skiff_deploys_total", { ...app, result: "succeeded" }), 1);
    assert.equal(value("skiff_confirm_rollbacks_total", app), undefined);

    // Serves, is switched in, then crashes inside its 10 s confirmation window: traffic goes back.
    writeFixture(dir, "die-after", "v3");
    writeFileSync(join(dir, "skiff.yml"), yml("  confirm: 10s\n  env: { DIE_AFTER_MS: '1500' }\n"));
    commitAll(dir, "v3 dies");
    {
      const pushed = await gitPush(dir, server.gitUrl("hello"));
      assert.equal(pushed.code, 0, pushed.stderr);
    }
    samples = await waitForSample(server.url, "skiff_confirm_rollbacks_total", app, 1);
    assert.equal(value("skiff_deploys_total", { ...app, result: "failed" }), 2);
    assert.equal(value("skiff_pushes_total", { outcome: "stored" }), 3);
  });

  // TODO(lead): once scaling lands (deploy.scale.min: 0, instance.woken with data.durationMs), add:
  // a request to an idle app wakes it, and skiff_wake_duration_seconds_count{app} is 1.
  void it.todo("a wake has skiff_wake_duration_seconds (needs scale-to-zero from the agent)");

  it("an agent with --listen serves its own /metrics", async (t) => {
    const host = await makeDeployHost();
    await storeNextRelease(host, { version: "v1" });
    const secretFile = `${host.data}-secret`;
    writeFileSync(secretFile, "agent-secret\n");
    const listen = `127.0.0.1:${await freePort()}`;
    const agent = spawn(
      process.execPath,
      [
        SKIFF_BIN,
        "agent",
        "--repo",
        host.repo,
        "--data",
        host.data,
        "--poll",
        "1h",
        "--listen",
        listen,
        "--webhook-secret-file",
        secretFile,
      ],
      { env: { ...process.env, SKIFF_LOG_LEVEL: "silent" }, stdio: "ignore" },
    );
    const exited = new Promise((resolve) => agent.once("exit", resolve));
    t.after(async () => {
      agent.kill("SIGTERM");
      await exited;
    });
    await waitForBody(host.url, "v1");
    await waitForSample(`http://${listen}`, "skiff_deploys_total", { ...app, result: "succeeded" }, 1);
    // Synced once the reconcile that deployed it recorded the pointer it saw, a moment after deploy.succeeded.
    const samples = await waitForSample(
      `http://${listen}`,
      "skiff_app_info",
      { ...app, release: "1", sync_status: "synced", health_status: "healthy" },
      1,
    );
    assert.equal(
      sampleValue(samples, "skiff_git_requests_total"),
      undefined,
      "the server's own series are not an agent's",
    );
  });
});
