import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { planSlot, resolveSlotLimit, type RolloutSnapshot } from "../../src/fleet/index.js";

const rollout = { max_parallel: 1, pause: "0s", halt_on_failure: true } as const;

function snapshot(fields: Partial<RolloutSnapshot> = {}): RolloutSnapshot {
  return {
    revision: "10",
    paused: undefined,
    hostsRunningApp: ["a", "b", "c", "d"],
    spec: undefined,
    failed: undefined,
    lastRelease: undefined,
    slots: [],
    done: [],
    ...fields,
  };
}

const queue = (...hosts: string[]): RolloutSnapshot["slots"] =>
  hosts.map((host, i) => ({ host, createRevision: String(100 + i) }));

describe("planSlot: the etcd semaphore recipe over one snapshot", () => {
  test("max_parallel: a number, or a percentage of the hosts running the app, rounded down, at least 1", () => {
    assert.equal(resolveSlotLimit(1, 8), 1);
    assert.equal(resolveSlotLimit(3, 2), 3);
    assert.equal(resolveSlotLimit("25%", 8), 2);
    assert.equal(resolveSlotLimit("25%", 7), 1);
    assert.equal(resolveSlotLimit("25%", 3), 1);
    assert.equal(resolveSlotLimit("100%", 5), 5);
  });

  test("the lowest create revisions hold; the others wait with their place in line", () => {
    const slots = queue("a", "b", "c");
    assert.deepEqual(planSlot({ snapshot: snapshot({ slots }), host: "a", rollout, now: 0 }), {
      kind: "hold",
      createRevision: "100",
      limit: 1,
    });
    assert.deepEqual(planSlot({ snapshot: snapshot({ slots }), host: "c", rollout, now: 0 }), {
      kind: "wait",
      reason: "slots",
      position: 2,
      limit: 1,
      holders: ["a"],
    });
    const wide = { ...rollout, max_parallel: "50%" };
    assert.equal(planSlot({ snapshot: snapshot({ slots }), host: "b", rollout: wide, now: 0 }).kind, "hold");
    assert.equal(planSlot({ snapshot: snapshot({ slots }), host: "c", rollout: wide, now: 0 }).kind, "wait");
  });

  test("the host counts itself among those running the app, even before it published", () => {
    const slots = queue("a", "new");
    const wide = { ...rollout, max_parallel: "50%" };
    const alone = snapshot({ slots, hostsRunningApp: ["a", "b", "c"] });
    // 4 hosts with the newcomer: 2 slots.
    assert.equal(planSlot({ snapshot: alone, host: "new", rollout: wide, now: 0 }).kind, "hold");
  });

  test("a host whose key is not in the queue puts it first", () => {
    assert.deepEqual(planSlot({ snapshot: snapshot({ slots: queue("a") }), host: "b", rollout, now: 0 }), {
      kind: "enqueue",
    });
  });

  test("a halted rollout refuses, before anything else; a failure without halting does not", () => {
    const failed = {
      host: "a",
      error: { code: "ERR_SKIFF_HEALTH_TIMEOUT", message: "no" },
      at: "t",
      halted: true,
    };
    assert.equal(
      planSlot({ snapshot: snapshot({ failed, slots: queue("b") }), host: "b", rollout, now: 0 }).kind,
      "halted",
    );
    assert.equal(planSlot({ snapshot: snapshot({ failed }), host: "b", rollout, now: 0 }).kind, "halted");
    const lenient = { ...failed, halted: false };
    assert.equal(
      planSlot({ snapshot: snapshot({ failed: lenient, slots: queue("b") }), host: "b", rollout, now: 0 })
        .kind,
      "hold",
    );
  });

  test("paused: even the first in line waits", () => {
    const paused = { by: "ops", at: "t" };
    const decision = planSlot({
      snapshot: snapshot({ paused, slots: queue("a") }),
      host: "a",
      rollout,
      now: 0,
    });
    assert.deepEqual(decision, { kind: "wait", reason: "paused", paused });
  });

  test("pause: a holder waits until pause has passed since the last slot was given back, from the earlier of its stamp and when it was seen", () => {
    const released = Date.parse("2026-01-01T00:00:10.000Z");
    const lastRelease = { host: "z", at: new Date(released).toISOString(), modRevision: "50" };
    const paced = { ...rollout, pause: "30s" };
    const slots = queue("a");
    const waiting = planSlot({
      snapshot: snapshot({ lastRelease, slots }),
      host: "a",
      rollout: paced,
      now: released + 1000,
    });
    assert.deepEqual(waiting, {
      kind: "wait",
      reason: "pause",
      untilMs: released + 30_000,
      createRevision: "100",
    });
    assert.equal(
      planSlot({
        snapshot: snapshot({ lastRelease, slots }),
        host: "a",
        rollout: paced,
        now: released + 30_000,
      }).kind,
      "hold",
    );
    // The releasing host's clock ran ahead: counted from when this host saw it.
    const seen = planSlot({
      snapshot: snapshot({ lastRelease, slots }),
      host: "a",
      rollout: paced,
      now: released - 5000,
      lastReleaseSeenMs: released - 20_000,
    });
    assert.deepEqual(seen, {
      kind: "wait",
      reason: "pause",
      untilMs: released + 10_000,
      createRevision: "100",
    });
  });

  test("the rollout's stored spec wins over this host's settings", () => {
    const spec = {
      app: "x",
      release: 2,
      max_parallel: 2,
      pause: "0s",
      halt_on_failure: true,
      started: "t",
      by: "a",
    };
    const slots = queue("a", "b");
    assert.equal(planSlot({ snapshot: snapshot({ spec, slots }), host: "b", rollout, now: 0 }).kind, "hold");
  });
});
