import assert from "node:assert/strict";
import { test } from "node:test";
import type { EventInput, SkiffEvent } from "../../src/events/index.js";
import { createNotifySinks } from "../../src/notify/index.js";
import { loadDocsVerifier } from "./docs-verifier.js";
import { startRecorder, stopRecorder } from "./recorder.js";

const SECRET = "whsec-9f2c61d0a7b84e3c";
const succeeded: SkiffEvent = {
  time: "2026-01-01T00:00:00.000Z",
  type: "deploy.succeeded",
  app: "hello",
  release: 2,
  deploy: "d-1",
  host: "h1",
  message: "release 2 serves",
};
// Short waits so retries fit in a test; the policy's shape is the production one.
const FAST = { baseDelayMs: 50, maxDelayMs: 200 };

/** The reports a sink makes, and a promise for the first of a type. */
function collectReports(): {
  reports: EventInput[];
  report: (e: EventInput) => void;
  next(type: string): Promise<EventInput>;
} {
  const reports: EventInput[] = [];
  const waiters: { type: string; resolve: (e: EventInput) => void }[] = [];
  return {
    reports,
    report: (event) => {
      reports.push(event);
      for (const w of waiters.filter((w) => w.type === event.type)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(event);
      }
    },
    next: (type) => {
      const seen = reports.find((r) => r.type === type);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} within 20 s`)), 20_000);
        waiters.push({
          type,
          resolve: (event) => {
            clearTimeout(timer);
            resolve(event);
          },
        });
      });
    },
  };
}

test("a receiver verifies the signature and sees the same event retried after it answered 500 twice", async (t) => {
  const verify = await loadDocsVerifier();
  const recorder = await startRecorder({ respond: (_request, index) => (index < 2 ? 500 : 204) });
  t.after(() => stopRecorder(recorder.server));
  const results = collectReports();
  const [sink] = createNotifySinks([`${recorder.url}/hook`], {
    secret: SECRET,
    retry: FAST,
    report: results.report,
  });
  sink!.emit(succeeded);
  const delivered = await results.next("notify.delivered");
  await sink!.close?.();

  assert.equal(recorder.requests.length, 3);
  const ids = recorder.requests.map((r) => r.headers["skiff-event-id"]);
  assert.match(ids[0] as string, /^ev_[0-9a-f]{32}$/);
  assert.deepEqual(ids, [ids[0], ids[0], ids[0]], "one id for every attempt");
  for (const [index, request] of recorder.requests.entries()) {
    const signature = request.headers["skiff-signature"] as string;
    assert.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.ok(verify(SECRET, signature, request.raw), `attempt ${index + 1} verifies`);
    assert.ok(!verify("another secret", signature, request.raw), "a wrong secret does not verify");
    assert.ok(!verify(SECRET, signature, request.raw.replace("serves", "failed")), "a changed body does not");
    assert.equal(request.headers["skiff-delivery-attempt"], String(index + 1));
    assert.deepEqual(request.body, { id: ids[0], ...succeeded });
  }
  const stale = `t=${Math.floor(Date.now() / 1000) - 3600},v1=${"0".repeat(64)}`;
  assert.ok(!verify(SECRET, stale, recorder.requests[0]!.raw), "an hour-old timestamp is refused");
  assert.deepEqual(
    { type: delivered.type, app: delivered.app, release: delivered.release, deploy: delivered.deploy },
    { type: "notify.delivered", app: "hello", release: 2, deploy: "d-1" },
  );
  assert.deepEqual(
    { ...delivered.data, durationMs: undefined },
    {
      sink: "http://127.0.0.1:" + new URL(recorder.url).port + "/[hidden]",
      event: "deploy.succeeded",
      id: ids[0],
      attempts: 3,
      status: 204,
      durationMs: undefined,
    },
  );
  assert.ok(!JSON.stringify(results.reports).includes(SECRET), "the secret is in no report");
});

test("without a secret the POST carries its id but no signature", async (t) => {
  const recorder = await startRecorder();
  t.after(() => stopRecorder(recorder.server));
  const [sink] = createNotifySinks([`${recorder.url}/hook`]);
  sink!.emit(succeeded);
  await sink!.close?.();
  assert.equal(recorder.requests.length, 1);
  assert.equal(recorder.requests[0]!.headers["skiff-signature"], undefined);
  assert.match(recorder.requests[0]!.headers["skiff-event-id"] as string, /^ev_/);
});

test("a 4xx answer is not retried; the failure is reported with its reason", async (t) => {
  const recorder = await startRecorder({ respond: () => 404 });
  t.after(() => stopRecorder(recorder.server));
  const results = collectReports();
  const [sink] = createNotifySinks([`${recorder.url}/hook`], { retry: FAST, report: results.report });
  sink!.emit(succeeded);
  const failed = await results.next("notify.failed");
  await sink!.close?.();
  assert.equal(recorder.requests.length, 1);
  assert.deepEqual(
    [failed.data?.attempts, failed.data?.outcome, failed.data?.reason],
    [1, "status 404", "refused"],
  );
  assert.equal(failed.error?.code, "ERR_SKIFF_NOTIFY_UNDELIVERED");
});

test("retries stop once the retry window has passed, and the failure is reported", async (t) => {
  const recorder = await startRecorder({ respond: () => 503 });
  t.after(() => stopRecorder(recorder.server));
  const results = collectReports();
  const [sink] = createNotifySinks([`${recorder.url}/hook`], {
    retry: { ...FAST, retryForMs: 400 },
    report: results.report,
  });
  sink!.emit(succeeded);
  const failed = await results.next("notify.failed");
  await sink!.close?.();
  assert.equal(failed.data?.reason, "gave up");
  assert.equal(failed.data?.outcome, "status 503");
  assert.ok(recorder.requests.length >= 3, `${recorder.requests.length} attempts`);
  assert.equal(failed.data?.attempts, recorder.requests.length);
  const span = recorder.requests.at(-1)!.at - recorder.requests[0]!.at;
  assert.ok(span <= 400 + 200, `the last attempt came ${span} ms after the first`);
});

test("a sink that is down long drops the oldest waiting events and reports how many", async (t) => {
  let release!: () => void;
  const recovered = new Promise<number>((resolve) => (release = () => resolve(204)));
  // The first request is held until every event was emitted; then the receiver is back.
  const recorder = await startRecorder({ respond: (_r, index) => (index === 0 ? recovered : 204) });
  t.after(() => stopRecorder(recorder.server));
  const results = collectReports();
  const [sink] = createNotifySinks([`${recorder.url}/hook#events=*`], {
    timeoutMs: 10_000,
    report: results.report,
  });
  // createNotifySinks' queue limit is 100: emit 105 beyond the one in flight.
  const events = Array.from({ length: 106 }, (_, i) => ({ ...succeeded, release: i + 1 }));
  sink!.emit(events[0]!);
  await recorder.received(1);
  const started = Date.now();
  for (const event of events.slice(1)) sink!.emit(event);
  assert.ok(Date.now() - started < 200, "emit never waits");
  release();
  await recorder.received(101);
  await sink!.close?.();
  const releases = recorder.requests.map((r) => (r.body as SkiffEvent).release);
  assert.deepEqual(releases, [1, ...Array.from({ length: 100 }, (_, i) => i + 7)], "releases 2–6 dropped");
  const dropped = results.reports.filter((r) => r.type === "notify.dropped");
  assert.equal(dropped.length, 1);
  assert.equal(dropped[0]!.data?.count, 5);
  assert.match(dropped[0]!.message, /queue \(100\) was full/);
});

test("an event still queued when the agent stops gets one last try, then is counted as dropped", async (t) => {
  const recorder = await startRecorder({ hang: true });
  t.after(() => stopRecorder(recorder.server));
  const results = collectReports();
  const [sink] = createNotifySinks([`${recorder.url}/hook`], { timeoutMs: 300, report: results.report });
  sink!.emit(succeeded);
  sink!.emit({ ...succeeded, release: 3 });
  await recorder.received(1);
  const started = Date.now();
  await sink!.close?.();
  assert.ok(Date.now() - started < 1500, `close took ${Date.now() - started} ms`);
  assert.deepEqual(
    results.reports.map((r) => [r.type, r.data?.reason, r.data?.count]),
    [
      ["notify.failed", "gave up", undefined],
      ["notify.dropped", "the agent stopped before they were sent", 1],
    ],
  );
});
