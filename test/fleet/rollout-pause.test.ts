import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { skiffOk } from "../support/run-skiff.js";
import { mostAtOnce, swapWindows, useFleetSuite } from "./fleet-hosts.js";

describe("pausing a rollout, and deploy.rollout.pause between hosts", () => {
  const suite = useFleetSuite();

  test("skiff rollout pause: waiting hosts wait (not fail) and fleet status says so; resume lets them go on, one at a time", async (t) => {
    const etcd = suite.etcd(t);
    if (etcd === undefined) return;
    const paused = await skiffOk(["rollout", "pause", "paws", "--fleet", etcd.url]);
    assert.match(paused.stderr, /paws: rollouts paused/);
    const again = await skiffOk(["rollout", "pause", "paws", "--fleet", etcd.url, "--json"]);
    assert.deepEqual(JSON.parse(again.stdout), { app: "paws", paused: true, changed: false });

    const fleet = suite.fleet(etcd, ["--app", "paws", "--from", "1", "--release", "2", "--swap-ms", "300"]);
    for (const host of ["p1", "p2", "p3"]) fleet.start(host);
    for (const host of ["p1", "p2", "p3"]) {
      await fleet.waitForEvent(
        host,
        "waiting on the pause",
        (e) => e.type === "rollout.waiting" && e.data?.reason === "paused",
      );
    }
    const status = await skiffOk(["fleet", "status", "paws", "--fleet", etcd.url]);
    assert.match(status.stdout, /paws: rollouts paused by \S+ at \S+ \(skiff rollout resume paws\)/);
    assert.match(status.stdout, /paws release 2: 0 done, 0 failed, 0 swapping, 3 waiting \(p\d, p\d, p\d\)/);
    assert.equal(
      fleet.records().filter((l) => l.kind === "start" || l.kind === "refused").length,
      0,
      "nobody swapped or gave up",
    );

    const resumed = await skiffOk(["rollout", "resume", "paws", "--fleet", etcd.url]);
    assert.match(resumed.stderr, /paws: rollouts resumed/);
    const lines = await fleet.waitFor(
      "3 hosts released",
      (l) => l.filter((x) => x.kind === "released").length === 3,
    );
    assert.equal(mostAtOnce(swapWindows(lines)), 1);
  });

  test("deploy.rollout.pause: the next host starts no sooner than the pause after the last slot was given back", async (t) => {
    const etcd = suite.etcd(t);
    if (etcd === undefined) return;
    const fleet = suite.fleet(etcd, [
      "--app",
      "breath",
      "--from",
      "1",
      "--release",
      "2",
      "--swap-ms",
      "100",
      "--pause",
      "1500ms",
    ]);
    for (const host of ["b1", "b2", "b3"]) fleet.start(host);
    const lines = await fleet.waitFor(
      "3 hosts released",
      (l) => l.filter((x) => x.kind === "released").length === 3,
    );
    const starts = lines.filter((l) => l.kind === "start").sort((a, b) => a.at - b.at);
    // "end" is recorded just before the host gives its slot back (after its confirmation window).
    const ends = lines.filter((l) => l.kind === "end").sort((a, b) => a.at - b.at);
    for (let i = 1; i < starts.length; i++) {
      const gap = starts[i]!.at - ends[i - 1]!.at;
      assert.ok(
        gap >= 1500,
        `host ${starts[i]!.host} started ${gap} ms after the previous slot was given back`,
      );
    }
    await fleet.waitForEvent(
      starts[1]!.host,
      "a pause wait",
      (e) => e.type === "rollout.waiting" && e.data?.reason === "pause",
    );
  });
});
