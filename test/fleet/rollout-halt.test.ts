import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { SkiffEvent } from "../../src/events/index.js";
import { readFleetStatus } from "../../src/fleet/index.js";
import { mostAtOnce, swapWindows, type HostRecordLine, useFleetSuite } from "./fleet-hosts.js";

const count = (lines: HostRecordLine[], kind: HostRecordLine["kind"], hosts?: readonly string[]): number =>
  lines.filter((l) => l.kind === kind && (hosts === undefined || hosts.includes(l.host))).length;

describe("a release that fails on one host halts its rollout", () => {
  const suite = useFleetSuite();

  test("failed on the first host: tried by no other, they keep the old release, status and a notification say where and why; the next release rolls out", async (t) => {
    const etcd = suite.etcd(t);
    if (etcd === undefined) return;
    const fleet = suite.fleet(etcd, ["--app", "broken", "--from", "1", "--swap-ms", "300"]);
    const notifyPath = join(fleet.dir, "notify.jsonl");
    fleet.start("h1", ["--release", "2", "--fail", "--notify", `file:${notifyPath}`]);
    await fleet.waitFor("h1 to start swapping", (l) => count(l, "start", ["h1"]) === 1);
    const others = ["h2", "h3", "h4"];
    for (const host of others) fleet.start(host, ["--release", "2", "--notify", `file:${notifyPath}`]);

    const lines = await fleet.waitFor(
      "the other hosts to be refused",
      (l) => count(l, "refused", others) === 3,
    );
    assert.deepEqual(
      lines.filter((l) => l.kind === "start").map((l) => l.host),
      ["h1"],
      "no other host tried the release",
    );
    for (const refused of lines.filter((l) => l.kind === "refused")) {
      assert.equal(refused.error?.code, "ERR_SKIFF_ROLLOUT_HALTED");
      assert.equal(refused.error?.data?.failedHost, "h1");
      assert.match(refused.error?.message ?? "", /failed on h1: release 2 did not pass its health check/);
    }

    const status = await readFleetStatus({ endpoints: [etcd.url], app: "broken" });
    const app = status.apps[0]!;
    assert.equal(app.rollout?.release, 2);
    assert.equal(app.rollout?.halted?.host, "h1");
    assert.equal(app.rollout?.halted?.error.code, "ERR_SKIFF_HEALTH_TIMEOUT");
    assert.deepEqual(
      app.rollout?.failed.map((f) => f.host),
      ["h1"],
    );
    assert.deepEqual(app.rollout?.done, []);
    assert.deepEqual(
      app.hosts.map((h) => [h.host, h.release]),
      [
        ["h1", 1],
        ["h2", 1],
        ["h3", 1],
        ["h4", 1],
      ],
      "every host still runs release 1",
    );

    // Exactly one notification, from the host where it failed.
    const notified = existsSync(notifyPath)
      ? readFileSync(notifyPath, "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as SkiffEvent)
      : [];
    assert.deepEqual(
      notified.map((e) => [e.type, e.host, e.app, e.release, e.error?.code]),
      [["rollout.halted", "h1", "broken", 2, "ERR_SKIFF_HEALTH_TIMEOUT"]],
    );

    // The next stored release is a new rollout: the hosts that kept release 1 take release 3.
    await fleet.stopAll();
    const next = suite.fleet(etcd, ["--app", "broken", "--from", "1", "--swap-ms", "200", "--release", "3"]);
    for (const host of others) next.start(host);
    const rolled = await next.waitFor("release 3 on three hosts", (l) => count(l, "released") === 3);
    assert.equal(mostAtOnce(swapWindows(rolled)), 1);
    const after3 = await readFleetStatus({ endpoints: [etcd.url], app: "broken" });
    assert.equal(after3.apps[0]?.rollout?.release, 3);
    assert.equal(after3.apps[0]?.rollout?.halted, undefined);
    assert.deepEqual(after3.apps[0]?.rollout?.done, others);
  });

  test("halt_on_failure false: a failure is recorded and the other hosts go on", async (t) => {
    const etcd = suite.etcd(t);
    if (etcd === undefined) return;
    const fleet = suite.fleet(etcd, [
      "--app",
      "lenient",
      "--from",
      "1",
      "--release",
      "2",
      "--swap-ms",
      "200",
      "--no-halt",
    ]);
    fleet.start("h1", ["--fail"]);
    await fleet.waitFor("h1 to start swapping", (l) => count(l, "start", ["h1"]) === 1);
    fleet.start("h2");
    fleet.start("h3");
    const lines = await fleet.waitFor("3 hosts released", (l) => count(l, "released") === 3);
    assert.equal(count(lines, "refused"), 0);
    const rollout = (await readFleetStatus({ endpoints: [etcd.url], app: "lenient" })).apps[0]?.rollout;
    assert.deepEqual(
      rollout?.failed.map((f) => f.host),
      ["h1"],
    );
    assert.deepEqual(rollout?.done, ["h2", "h3"]);
    assert.equal(rollout?.halted, undefined);
  });
});
