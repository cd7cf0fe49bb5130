import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { readFleetStatus } from "../../src/fleet/index.js";
import { etcdUnavailable, startEtcd, type EtcdServer } from "../support/etcd.js";
import { requireTier } from "../support/tiers.js";
import { makeFleet, mostAtOnce, swapWindows, type Fleet } from "./fleet-hosts.js";

const TTL_SECONDS = 2;

describe("etcd unreachable: hosts wait for it, nothing crashes, the rollout resumes by itself", () => {
  const servers: EtcdServer[] = [];
  const fleets: Fleet[] = [];

  after(async () => {
    for (const fleet of fleets) await fleet.stopAll();
    for (const server of servers) await server.stop();
  });

  test("etcd killed mid-rollout and restarted on the same data dir: no host swaps meanwhile, then all do, one at a time", async (t) => {
    if (!requireTier(t, "etcd", etcdUnavailable())) return;
    const etcd = await startEtcd();
    servers.push(etcd);
    const args = ["--app", "outage", "--from", "1", "--release", "2", "--ttl", String(TTL_SECONDS)];
    const fleet = makeFleet(etcd, args);
    fleets.push(fleet);
    // h1 swaps through the outage and for longer than a TTL after it: it must keep its slot throughout
    // (its lease is granted anew and the slot key moved to it), or h2 would start beside it.
    const h1Done = join(fleet.dir, "h1-done");
    const hosts = [fleet.start("h1", ["--swap-until", h1Done])];
    await fleet.waitFor("h1 swapping", (l) => l.some((x) => x.kind === "start" && x.host === "h1"));
    hosts.push(fleet.start("h2", ["--swap-ms", "500"]), fleet.start("h3", ["--swap-ms", "500"]));
    for (const host of ["h2", "h3"]) {
      await fleet.waitForEvent(
        host,
        "queued",
        (e) => e.type === "rollout.waiting" && e.data?.reason === "slots",
      );
    }

    await etcd.kill();
    const killedAt = Date.now();
    for (const { host } of hosts)
      await fleet.waitForEvent(
        host,
        "fleet.unreachable",
        (e) => e.type === "fleet.unreachable" && Date.parse(e.time) >= killedAt - 1000,
      );
    // Away for longer than the client keeps a lease without etcd (2 × TTL): the leases are granted anew on return.
    await sleep(TTL_SECONDS * 2000 + 1000);
    assert.deepEqual(
      hosts.map((h) => h.alive()),
      [true, true, true],
      "every host still runs",
    );
    await etcd.restart();
    const restartedAt = Date.now();
    // Past the point where h1's old lease, renewed by etcd on restart, has expired.
    await sleep(TTL_SECONDS * 1000 + 1500);
    writeFileSync(h1Done, "");

    const lines = await fleet.waitFor(
      "three hosts released",
      (l) => l.filter((x) => x.kind === "released").length === 3,
      60_000,
    );
    const windows = swapWindows(lines);
    assert.equal(windows.length, 3);
    assert.equal(mostAtOnce(windows), 1, JSON.stringify(windows));
    const startedWhileAway = windows.filter((w) => w.start > killedAt && w.start < restartedAt);
    assert.deepEqual(startedWhileAway, [], "no host swapped while etcd was away");
    for (const { host } of hosts) {
      await fleet.waitForEvent(host, "fleet.reconnected", (e) => e.type === "fleet.reconnected");
    }
    assert.deepEqual(
      hosts.map((h) => h.alive()),
      [true, true, true],
    );
    const status = await readFleetStatus({ endpoints: [etcd.url], app: "outage" });
    assert.deepEqual(status.apps[0]?.rollout?.done, ["h1", "h2", "h3"]);
    assert.deepEqual(
      status.hosts.map((h) => [h.host, h.apps[0]?.release]),
      [
        ["h1", 2],
        ["h2", 2],
        ["h3", 2],
      ],
      "every host re-published its status after the outage",
    );
  });

  test("--fleet-optional swaps alone while etcd is away and says so; without it the host waits, then swaps once etcd is back", async (t) => {
    if (!requireTier(t, "etcd", etcdUnavailable())) return;
    const etcd = await startEtcd();
    servers.push(etcd);
    await etcd.kill();
    const fleet = makeFleet(etcd, [
      "--app",
      "alone",
      "--from",
      "1",
      "--release",
      "2",
      "--swap-ms",
      "100",
      "--ttl",
      String(TTL_SECONDS),
    ]);
    fleets.push(fleet);
    fleet.start("opt", ["--optional"]);
    fleet.start("strict");
    const lines = await fleet.waitFor("the optional host to swap", (l) =>
      l.some((x) => x.kind === "released" && x.host === "opt"),
    );
    assert.equal(lines.find((x) => x.kind === "start" && x.host === "opt")?.held, false);
    const skipped = await fleet.waitForEvent(
      "opt",
      "rollout.slot_skipped",
      (e) => e.type === "rollout.slot_skipped",
    );
    assert.match(skipped.message, /without a slot \(--fleet-optional\)/);
    await fleet.waitForEvent(
      "strict",
      "waiting for etcd",
      (e) => e.type === "rollout.waiting" && e.data?.reason === "unreachable",
    );
    assert.equal(
      fleet.records().some((x) => x.kind === "start" && x.host === "strict"),
      false,
      "the host without --fleet-optional has not swapped alone",
    );

    await etcd.restart();
    const after = await fleet.waitFor("the strict host to swap", (l) =>
      l.some((x) => x.kind === "released" && x.host === "strict"),
    );
    assert.equal(after.find((x) => x.kind === "start" && x.host === "strict")?.held, true);
  });
});
