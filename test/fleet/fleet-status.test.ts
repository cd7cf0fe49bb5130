import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { FleetStatus } from "../../src/fleet/index.js";
import { freePort } from "../support/http.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { useFleetSuite } from "./fleet-hosts.js";

describe("skiff fleet status: the registry of hosts and their apps", () => {
  const suite = useFleetSuite();

  test("one line per host and app with labels, the rollout line, --json, an app filter; a host that stops leaves at once", async (t) => {
    const etcd = suite.etcd(t);
    if (etcd === undefined) return;
    const fleet = suite.fleet(etcd, ["--app", "reg", "--from", "1", "--release", "2", "--swap-ms", "50"]);
    fleet.start("web-1", ["--label", "zone=a"]);
    const second = fleet.start("web-2", ["--label", "zone=b", "--label", "arch=arm64"]);
    await fleet.waitFor("both idle", (l) => l.filter((x) => x.kind === "idle").length === 2);

    const human = await skiffOk(["fleet", "status", "--fleet", etcd.url]);
    const rows = human.stdout.trim().split("\n");
    assert.match(rows[0]!, /^HOST\s+APP\s+RELEASE\s+SYNC\s+HEALTH\s+DRIVERS\s+TARGETS\s+LABELS\s+ERROR$/);
    assert.match(rows[1]!, /^web-1\s+reg\s+2\s+Synced\s+Healthy\s+unix\s+unix\s+zone=a$/);
    assert.match(rows[2]!, /^web-2\s+reg\s+2\s+Synced\s+Healthy\s+unix\s+unix\s+zone=b,arch=arm64$/);
    assert.equal(
      rows[3],
      "reg release 2: 2 done, 0 failed, 0 swapping, 0 waiting; max_parallel 1 (1 at once), pause 0s",
    );

    const json = JSON.parse(
      (await skiffOk(["fleet", "status", "reg", "--fleet", etcd.url, "--json"])).stdout,
    ) as FleetStatus;
    assert.deepEqual(
      json.hosts.map((h) => [h.host, h.labels]),
      [
        ["web-1", { zone: "a" }],
        ["web-2", { zone: "b", arch: "arm64" }],
      ],
    );
    assert.deepEqual(
      json.apps[0]?.hosts.map((s) => [s.host, s.app, s.release, s.sync, s.health, s.drivers, s.targets]),
      [
        ["web-1", "reg", 2, "Synced", "Healthy", ["unix"], ["unix"]],
        ["web-2", "reg", 2, "Synced", "Healthy", ["unix"], ["unix"]],
      ],
    );
    const none = await skiffOk(["fleet", "status", "other", "--fleet", etcd.url]);
    assert.equal(none.stdout, "no host publishes other\n");

    // A host that stops (SIGTERM) gives its lease back: gone at once, not after the TTL.
    second.child.kill("SIGTERM");
    await fleet.waitFor("web-2 to exit", (l) => l.some((x) => x.kind === "exit" && x.host === "web-2"));
    const left = JSON.parse(
      (await skiffOk(["fleet", "status", "--fleet", etcd.url, "--json"])).stdout,
    ) as FleetStatus;
    assert.deepEqual(
      left.hosts.map((h) => h.host),
      ["web-1"],
    );
  });

  test("etcd unreachable or a bad URL: a known error with a hint, not a stack", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = await runSkiff(["fleet", "status", "--fleet", closed]);
    assert.equal(down.code, 1, down.stderr);
    assert.match(
      down.stderr,
      /^error ERR_SKIFF_FLEET_UNREACHABLE: etcd at http:\/\/127\.0\.0\.1:\d+ is unreachable/m,
    );
    assert.match(down.stderr, /^hint: check that etcd runs/m);

    const bad = await runSkiff(["rollout", "pause", "app", "--fleet", "127.0.0.1:2379"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error ERR_SKIFF_USAGE: "127\.0\.0\.1:2379" is not an etcd client URL/m);
    const secret = await runSkiff(["fleet", "status", "--fleet", "http://root:hunter2@127.0.0.1:2379"]);
    assert.match(secret.stderr, /ERR_SKIFF_USAGE.*no credentials in the URL/s);
    assert.doesNotMatch(secret.stderr, /hunter2/);
  });
});
