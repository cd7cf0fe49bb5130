import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { SkiffEvent } from "../../src/events/index.js";
import { createNotifySinks, describeNotifyTarget, parseNotifyTarget } from "../../src/notify/index.js";
import { isSkiffError } from "../../src/errors/index.js";
import { tempDir } from "../support/temp.js";
import { startRecorder, stopRecorder } from "./recorder.js";

const succeeded: SkiffEvent = {
  time: "2026-01-01T00:00:00.000Z",
  type: "deploy.succeeded",
  app: "hello",
  release: 2,
  host: "h1",
  message: "release 2 serves",
};
const failed: SkiffEvent = {
  ...succeeded,
  type: "deploy.failed",
  message: "release 2 failed",
  error: { code: "ERR_SKIFF_HEALTH_TIMEOUT", message: "health check failed" },
};
const probe: SkiffEvent = { ...succeeded, type: "health.probe", message: "probe 1" };

test("a webhook receives deploy outcomes as JSON, and nothing else", async (t) => {
  const recorder = await startRecorder();
  t.after(() => stopRecorder(recorder.server));
  const [sink] = createNotifySinks([`${recorder.url}/hook?token=s3cret`]);
  sink!.emit(probe);
  sink!.emit(succeeded);
  sink!.emit(failed);
  await sink!.close?.();
  assert.deepEqual(
    recorder.requests.map((r) => [r.path, (r.body as SkiffEvent).type, (r.body as SkiffEvent).error?.code]),
    [
      ["/hook?token=s3cret", "deploy.succeeded", undefined],
      ["/hook?token=s3cret", "deploy.failed", "ERR_SKIFF_HEALTH_TIMEOUT"],
    ],
  );
});

test("slack+ URLs get a Slack-compatible {text} body", async (t) => {
  const recorder = await startRecorder();
  t.after(() => stopRecorder(recorder.server));
  const [sink] = createNotifySinks([`slack+${recorder.url}/services/T0/B0/XYZ`]);
  sink!.emit(failed);
  await sink!.close?.();
  assert.deepEqual(
    recorder.requests.map((r) => r.body),
    [{ text: "skiff: hello release 2 failed on h1: ERR_SKIFF_HEALTH_TIMEOUT health check failed" }],
  );
});

test("an endpoint that never answers blocks neither emit nor close beyond the timeout", async (t) => {
  const recorder = await startRecorder({ hang: true });
  t.after(() => stopRecorder(recorder.server));
  const [sink] = createNotifySinks([`${recorder.url}/hook`], { timeoutMs: 300 });
  const started = Date.now();
  for (let i = 0; i < 500; i++) sink!.emit(succeeded);
  assert.ok(Date.now() - started < 100, "emit returns at once");
  await sink!.close?.();
  assert.ok(Date.now() - started < 1500, `close took ${Date.now() - started}ms`);
  assert.ok(recorder.requests.length >= 1 && recorder.requests.length <= 3);
});

test("an endpoint that is down loses the event, not the caller", async () => {
  const recorder = await startRecorder();
  stopRecorder(recorder.server);
  const [sink] = createNotifySinks([`${recorder.url}/hook`], { timeoutMs: 300 });
  sink!.emit(succeeded);
  await sink!.close?.();
});

test("file: targets append JSON lines", () => {
  const path = join(tempDir(), "notify", "events.jsonl");
  const [sink] = createNotifySinks([`file:${path}`]);
  sink!.emit(succeeded);
  sink!.emit(probe);
  sink!.emit(failed);
  const lines = readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((l) => (JSON.parse(l) as SkiffEvent).type);
  assert.deepEqual(lines, ["deploy.succeeded", "deploy.failed"]);
});

test("targets: kinds by scheme and host; tokens never shown", () => {
  assert.equal(parseNotifyTarget("https://hooks.slack.com/services/T/B/X").kind, "slack");
  assert.equal(parseNotifyTarget("slack+https://chat.example/hook").kind, "slack");
  assert.equal(parseNotifyTarget("https://example.com/hook").kind, "webhook");
  assert.deepEqual(parseNotifyTarget("file:///tmp/x.jsonl"), { kind: "file", path: "/tmp/x.jsonl" });
  assert.throws(
    () => parseNotifyTarget("ftp://example.com"),
    (e: unknown) => isSkiffError(e) && e.code === "ERR_SKIFF_USAGE",
  );
  const shown = describeNotifyTarget("https://user:tok3n@hooks.slack.com/services/T/B/s3cret?x=1");
  assert.equal(shown, "https://hooks.slack.com/[hidden]");
});
