import assert from "node:assert/strict";
import { test } from "node:test";
import { planReconcile, type ActualApp } from "../../src/agent/index.js";
import type { Instance, InstanceStatus } from "../../src/drivers/index.js";

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

/** An app as readActual sees it; `instance` and `status` describe its one instance (status none: no instance). */
function actual(
  overrides: Partial<Omit<ActualApp, "instances">> & {
    instance?: Instance | undefined;
    status?: InstanceStatus | "none";
  } = {},
): ActualApp {
  const {
    instance: one = "instance" in overrides ? undefined : instance(1),
    status = "running",
    ...rest
  } = overrides;
  return {
    app: "hello",
    failed: [],
    stopped: false,
    removed: false,
    observedCurrent: 1,
    instances: one === undefined || status === "none" ? [] : [{ instance: one, status }],
    ...rest,
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
  assert.equal(actions[0]?.kind === "deploy" ? actions[0].from[0]?.id : undefined, "hello-1-abcd");
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
    [actual(), actual({ app: "other", instance: { ...instance(3), app: "other" } })],
  );
  assert.deepEqual(
    plan.map((a) => [a.kind, a.app]),
    [["deploy", "other"]],
  );
});

test("an app with several instances (replicas) of the current release restarts the one that died", () => {
  const replicas: ActualApp = {
    ...actual(),
    instances: [
      { instance: instance(1, "hello-1-aaaa"), status: "running" },
      { instance: instance(1, "hello-1-bbbb"), status: "exited" },
    ],
  };
  const plan = planReconcile([{ app: "hello", release: 1 }], [replicas]);
  assert.deepEqual(
    plan.map((a) => [a.kind, a.kind === "restart" ? a.instance.id : ""]),
    [["restart", "hello-1-bbbb"]],
  );
  const deploy = planReconcile([{ app: "hello", release: 2 }], [replicas]);
  assert.deepEqual(
    deploy.map((a) => (a.kind === "deploy" ? a.from.map((i) => i.id) : [])),
    [["hello-1-aaaa", "hello-1-bbbb"]],
    "a deploy replaces the whole set",
  );
});
