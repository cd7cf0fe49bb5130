import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { SkiffEvent } from "../../src/events/index.js";
import { httpGet } from "../support/http.js";
import { SKIFF_BIN } from "../support/paths.js";
import { skiffOk } from "../support/run-skiff.js";
import { agentOnce, makeDeployHost, readEvents, storeNextRelease } from "../agent/deploy-host.js";
import { loadDocsVerifier } from "./docs-verifier.js";
import { startRecorder, stopRecorder } from "./recorder.js";

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test("agent --notify POSTs deploy.succeeded and deploy.failed", async (t) => {
  const recorder = await startRecorder();
  t.after(() => stopRecorder(recorder.server));
  const host = await makeDeployHost();
  await storeNextRelease(host, { version: "v1" });
  const hook = `${recorder.url}/hook`;
  assert.equal((await agentOnce(host, ["--notify", hook])).code, 0);
  await storeNextRelease(host, { fixture: "crash", version: "v2" });
  assert.equal((await agentOnce(host, ["--notify", hook])).code, 1);
  const bodies = recorder.requests.map((r) => r.body as SkiffEvent);
  assert.deepEqual(
    bodies.map((b) => [b.type, b.app, b.release]),
    [
      ["deploy.succeeded", "hello", 1],
      ["deploy.failed", "hello", 2],
    ],
  );
  assert.equal(bodies[1]?.error?.code, "ERR_SKIFF_INSTANCE_EXITED");
  await skiffOk(["stop", host.app, "--data", host.data]);
});

test("a notify URL that never answers does not delay a deploy beyond its timeout", async (t) => {
  const recorder = await startRecorder({ hang: true });
  t.after(() => stopRecorder(recorder.server));
  const host = await makeDeployHost();
  await storeNextRelease(host, { version: "v1" });
  const started = Date.now();
  const run = await agentOnce(host, ["--notify", `${recorder.url}/hook`, "--notify-timeout", "1s"]);
  const elapsed = Date.now() - started;
  assert.equal(run.code, 0, run.stderr);
  assert.equal((await httpGet(host.url)).body, "v1 hello\n");
  assert.equal(recorder.requests.length, 1, "the notification was attempted");
  const events = readEvents(host.data);
  const start = events.find((e) => e.type === "deploy.started")!;
  const end = events.find((e) => e.type === "deploy.succeeded")!;
  assert.ok(Date.parse(end.time) - Date.parse(start.time) < 5000);
  // The pass ended; the notification was given up only when the agent stopped, and said so.
  const gaveUp = events.findIndex((e) => e.type === "notify.failed" && e.data?.event === "deploy.succeeded");
  assert.ok(gaveUp > events.indexOf(end), "notify.failed after deploy.succeeded");
  assert.equal(events[gaveUp]!.data?.reason, "gave up");
  assert.ok(elapsed < 12_000, `agent --once took ${elapsed}ms`);
  await skiffOk(["stop", host.app, "--data", host.data]);
});

test("a running agent's notifications are signed and retried after two 500s, while it deploys the next release", async (t) => {
  const verify = await loadDocsVerifier();
  const secret = "notify-secret-5c1f0e";
  let answerSecond!: () => void;
  const second = new Promise<number>((resolve) => (answerSecond = () => resolve(500)));
  // Attempt 1 fails at once; attempt 2 is held until release 2 has deployed, then fails; the rest pass.
  const recorder = await startRecorder({
    respond: (_r, index) => (index === 0 ? 500 : index === 1 ? second : 204),
  });
  t.after(() => stopRecorder(recorder.server));
  const host = await makeDeployHost();
  const secretFile = join(host.data, "..", "notify.secret");
  writeFileSync(secretFile, secret + "\n", { mode: 0o600 });
  await storeNextRelease(host, { version: "v1" });
  const agent = spawn(
    process.execPath,
    [
      SKIFF_BIN,
      ...["agent", "--repo", host.repo, "--data", host.data, "--poll", "300ms"],
      ...["--notify", `${recorder.url}/hook`, "--notify-secret-file", secretFile, "--notify-timeout", "30s"],
    ],
    { env: { ...process.env, SKIFF_LOG_LEVEL: "silent" }, stdio: "ignore" },
  );
  const exited = new Promise((resolve) => agent.once("exit", resolve));
  t.after(() => agent.kill("SIGKILL"));

  await recorder.received(2);
  await storeNextRelease(host, { version: "v2" });
  const deployed = (release: number) => (e: SkiffEvent) =>
    e.type === "deploy.succeeded" && e.release === release;
  await until(() => readEvents(host.data).some(deployed(2)), 30_000, "release 2 deployed");
  assert.equal((await httpGet(host.url)).body, "v2 hello\n");
  answerSecond();
  const delivered = (release: number) => (e: SkiffEvent) =>
    e.type === "notify.delivered" && e.release === release;
  await until(() => readEvents(host.data).some(delivered(2)), 30_000, "release 2's notification delivered");
  agent.kill("SIGTERM");
  await exited;

  const bodies = recorder.requests.map((r) => r.body as SkiffEvent & { id: string });
  assert.deepEqual(
    bodies.map((b) => [b.type, b.release]),
    [
      ["deploy.succeeded", 1],
      ["deploy.succeeded", 1],
      ["deploy.succeeded", 1],
      ["deploy.succeeded", 2],
    ],
  );
  const firstId = bodies[0]!.id;
  assert.deepEqual(
    recorder.requests.map((r) => r.headers["skiff-event-id"]),
    [firstId, firstId, firstId, bodies[3]!.id],
  );
  assert.notEqual(bodies[3]!.id, firstId);
  for (const request of recorder.requests)
    assert.ok(
      verify(secret, request.headers["skiff-signature"] as string, request.raw),
      "signature verifies",
    );

  const events = readEvents(host.data);
  const at = (match: (e: SkiffEvent) => boolean): number => events.findIndex(match);
  const order = [at(deployed(1)), at(deployed(2)), at(delivered(1)), at(delivered(2))];
  assert.ok(
    order.every((i) => i >= 0) && order.join() === [...order].sort((a, b) => a - b).join(),
    `order ${order.join(", ")}`,
  );
  assert.equal(events[at(delivered(1))]!.data?.attempts, 3);
  // Release 2 served before the receiver had even answered release 1's second attempt.
  assert.ok(Date.parse(events[at(deployed(2))]!.time) < recorder.requests[2]!.at);
  assert.ok(
    !readFileSync(join(host.data, "events.jsonl"), "utf8").includes(secret),
    "the secret is in no event",
  );
  await skiffOk(["stop", host.app, "--data", host.data]);
});
