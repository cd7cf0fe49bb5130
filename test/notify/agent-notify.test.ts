import assert from "node:assert/strict";
import { test } from "node:test";
import type { SkiffEvent } from "../../src/events/index.js";
import { httpGet } from "../support/http.js";
import { skiffOk } from "../support/run-skiff.js";
import { agentOnce, makeDeployHost, readEvents, storeNextRelease } from "../agent/deploy-host.js";
import { startRecorder, stopRecorder } from "./recorder.js";

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
  assert.ok(elapsed < 12_000, `agent --once took ${elapsed}ms`);
  await skiffOk(["stop", host.app, "--data", host.data]);
});
