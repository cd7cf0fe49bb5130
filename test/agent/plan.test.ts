import assert from "node:assert/strict";
import { test } from "node:test";
import { planReconcile, type ActualApp } from "../../src/agent/index.js";
import type { Instance } from "../../src/drivers/index.js";

function instance(release: number, id = `hello-${release}-abcd`): Instance {
  return {
    id,
    driver: "unix",
    app: "hello",
    release,
    address: { host: "127.0.0.1", port: 8080 },
    handle: { pid: 100, startTime: "1" },
    logPath: "/tmp/x.log",
    startedAt: "2026-01-01T00:00:00.000Z",
  };
}

function actual(overrides: Partial<ActualApp> = {}): ActualApp {
  return {
    app: "hello",
    status: "running",
    failed: [],
    stopped: false,
    removed: false,
    observedCurrent: 1,
    instance: instance(1),
    ...overrides,
  };
}

test("the release that runs is current: nothing to do", () => {
  assert.deepEqual(planReconcile([{ app: "hello", release: 1 }], [actual()]), []);
});

test("a new current deploys, replacing what runs", () => {
  const actions = planReconcile([{ app: "hello", release: 2 }], [actual()]);
  assert.equal(actions.length, 1);
  assert.deepEqual(
    { kind: actions[0]!.kind, release: actions[0]?.kind === "deploy" ? actions[0].release : 0 },
    { kind: "deploy", release: 2 },
  );
  assert.equal(actions[0]?.kind === "deploy" ? actions[0].from?.id : undefined, "hello-1-abcd");
});

test("an app nothing runs for deploys its current", () => {
  const actions = planReconcile([{ app: "hello", release: 1 }], []);
  assert.deepEqual(
    actions.map((a) => a.kind),
    ["deploy"],
  );
});

test("a release that failed under the same current is not retried", () => {
  const plan = planReconcile([{ app: "hello", release: 2 }], [actual({ failed: [2], observedCurrent: 2 })]);
  assert.deepEqual(plan, []);
});

test("a failed release is retried once current moved away and back", () => {
  // observedCurrent 3: current named 3 after 2 failed, now names 2 again.
  const plan = planReconcile([{ app: "hello", release: 2 }], [actual({ failed: [2], observedCurrent: 3 })]);
  assert.deepEqual(
    plan.map((a) => a.kind),
    ["deploy"],
  );
});

test("an instance that died restarts its release", () => {
  const plan = planReconcile([{ app: "hello", release: 1 }], [actual({ status: "exited" })]);
  assert.deepEqual(
    plan.map((a) => [a.kind, a.kind === "restart" ? a.release : 0]),
    [["restart", 1]],
  );
});

test("after a failed release, the previous one is restarted if it dies, the failed one never", () => {
  const plan = planReconcile(
    [{ app: "hello", release: 2 }],
    [actual({ status: "exited", failed: [2], observedCurrent: 2 })],
  );
  assert.deepEqual(
    plan.map((a) => [a.kind, a.kind === "restart" ? a.release : 0]),
    [["restart", 1]],
  );
});

test("an app stopped by hand stays stopped until current changes", () => {
  const stopped = actual({ instance: undefined, status: "none", stopped: true });
  assert.deepEqual(planReconcile([{ app: "hello", release: 1 }], [stopped]), []);
  assert.deepEqual(
    planReconcile([{ app: "hello", release: 2 }], [stopped]).map((a) => a.kind),
    ["deploy"],
  );
});

test("an app removed from the repository keeps running and is reported once", () => {
  const plan = planReconcile([], [actual()]);
  assert.deepEqual(
    plan.map((a) => a.kind),
    ["report-removed"],
  );
  assert.deepEqual(planReconcile([], [actual({ removed: true })]), []);
});

test("an unreadable pointer touches nothing and is reported", () => {
  const error = { code: "ERR_SKIFF_CURRENT_INVALID", message: "bad" };
  assert.deepEqual(
    planReconcile([{ app: "hello", error }], [actual()]).map((a) => a.kind),
    ["report-error"],
  );
});

test("another app's change leaves this app alone", () => {
  const plan = planReconcile(
    [
      { app: "hello", release: 1 },
      { app: "other", release: 4 },
    ],
    [actual(), { ...actual({ instance: { ...instance(3), app: "other" } }), app: "other" }],
  );
  assert.deepEqual(
    plan.map((a) => [a.kind, a.app]),
    [["deploy", "other"]],
  );
});
