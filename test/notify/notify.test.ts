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

test("a Slack-compatible receiver gets blocks and a one-line text fallback", async (t) => {
  const recorder = await startRecorder();
  t.after(() => stopRecorder(recorder.server));
  const [sink] = createNotifySinks([`slack+${recorder.url}/services/T0/B0/XYZ`]);
  sink!.emit({
    ...failed,
    deploy: "d-7",
    error: { ...failed.error!, message: "GET / answered <500> & closed", hint: "see skiff logs hello" },
  });
  await sink!.close?.();
  assert.equal(recorder.requests.length, 1);
  assert.deepEqual(recorder.requests[0]!.body, {
    text: "skiff: hello release 2 failed on h1: ERR_SKIFF_HEALTH_TIMEOUT GET / answered <500> & closed",
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: ":x: *hello* release 2 failed" },
        fields: [
          { type: "mrkdwn", text: "*Host*\nh1" },
          { type: "mrkdwn", text: "*Error*\n`ERR_SKIFF_HEALTH_TIMEOUT`" },
          { type: "mrkdwn", text: "*Why*\nGET / answered &lt;500&gt; &amp; closed" },
          { type: "mrkdwn", text: "*Next*\nsee skiff logs hello" },
        ],
      },
      { type: "section", text: { type: "mrkdwn", text: "release 2 failed" } },
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: "deploy.failed · 2026-01-01T00:00:00.000Z · deploy d-7" }],
      },
    ],
  });
});

test("a filtered sink receives only the event types its #events= names, and never notify.*", async (t) => {
  const recorder = await startRecorder();
  t.after(() => stopRecorder(recorder.server));
  const [sink] = createNotifySinks([`${recorder.url}/hook?k=1#events=deploy.*,release.refused,stage.*`]);
  const types = [
    "deploy.started",
    "health.probe",
    "deploy.succeeded",
    "release.refused",
    "release.unsupported",
    "notify.failed",
    "stage.passed",
    "deployment.other",
  ];
  for (const type of types) sink!.emit({ ...succeeded, type });
  await sink!.close?.();
  assert.deepEqual(
    recorder.requests.map((r) => [r.path, (r.body as SkiffEvent).type]),
    [
      ["/hook?k=1", "deploy.started"],
      ["/hook?k=1", "deploy.succeeded"],
      ["/hook?k=1", "release.refused"],
      ["/hook?k=1", "stage.passed"],
    ],
  );
});

test("#events= with an unknown option or a malformed type is a usage error", () => {
  for (const spec of ["https://example.com/h#secret=x", "https://example.com/h#events=Deploy Failed"]) {
    assert.throws(
      () => parseNotifyTarget(spec),
      (e: unknown) => isSkiffError(e) && e.code === "ERR_SKIFF_USAGE" && !e.message.includes("secret=x"),
      spec,
    );
  }
  assert.deepEqual(parseNotifyTarget("file:/tmp/x.jsonl#events=*"), {
    kind: "file",
    path: "/tmp/x.jsonl",
    events: ["*"],
  });
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
