import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readFleetStatus } from "../../src/fleet/index.js";
import { mostAtOnce, swapWindows, useFleetSuite } from "./fleet-hosts.js";

describe("rolling deploys: swap slots across hosts (real etcd, one process per host)", () => {
  const suite = useFleetSuite();

  test("max_parallel 1: the swap windows of 4 hosts never overlap, and all 4 swap", async (t) => {
    const etcd = suite.etcd(t);
    if (etcd === undefined) return;
    const fleet = suite.fleet(etcd, ["--app", "one", "--from", "1", "--release", "2", "--swap-ms", "300"]);
    for (const host of ["h1", "h2", "h3", "h4"]) fleet.start(host);
    const lines = await fleet.waitFor(
      "4 hosts released",
      (l) => l.filter((x) => x.kind === "released").length === 4,
    );
    const windows = swapWindows(lines);
    assert.equal(windows.length, 4);
    assert.equal(mostAtOnce(windows), 1, JSON.stringify(windows));
    assert.ok(lines.filter((l) => l.kind === "start").every((l) => l.held === true));

    const status = await readFleetStatus({ endpoints: [etcd.url], app: "one" });
    const rollout = status.apps[0]?.rollout;
    assert.equal(rollout?.release, 2);
    assert.deepEqual(rollout?.done, ["h1", "h2", "h3", "h4"]);
    assert.deepEqual([rollout?.swapping, rollout?.waiting, rollout?.failed], [[], [], []]);
    assert.deepEqual(
      status.hosts.map((h) => [h.host, h.apps[0]?.release, h.apps[0]?.sync]),
      ["h1", "h2", "h3", "h4"].map((h) => [h, 2, "Synced"]),
    );
  });

  test('max_parallel "25%" of 8 hosts: never more than 2 swap at once, and 2 do', async (t) => {
    const etcd = suite.etcd(t);
    if (etcd === undefined) return;
    const common = ["--app", "quarter", "--from", "1", "--release", "2", "--swap-ms", "600"];
    const fleet = suite.fleet(etcd, [...common, "--max-parallel", "25%", "--wait-hosts", "8"]);
    for (let i = 1; i <= 8; i++) fleet.start(`q${i}`);
    const lines = await fleet.waitFor(
      "8 hosts released",
      (l) => l.filter((x) => x.kind === "released").length === 8,
      60_000,
    );
    const windows = swapWindows(lines);
    assert.equal(windows.length, 8);
    assert.equal(mostAtOnce(windows), 2, JSON.stringify(windows));
  });
});
