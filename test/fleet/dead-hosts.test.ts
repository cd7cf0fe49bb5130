import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { readFleetStatus } from "../../src/fleet/index.js";
import { useFleetSuite } from "./fleet-hosts.js";

const TTL_SECONDS = 3;
/** The lease expires at most TTL after the dead host's last keepalive; etcd checks for expired leases every 500 ms. */
const WITHIN_MS = TTL_SECONDS * 1000 + 1000;

async function waitUntilGone(url: string, host: string): Promise<number> {
  for (;;) {
    const status = await readFleetStatus({ endpoints: [url] });
    if (!status.hosts.some((h) => h.host === host)) return Date.now();
    await sleep(50);
  }
}

describe("a host that dies (SIGKILL) leaves the fleet within its lease's TTL", () => {
  const suite = useFleetSuite();

  test("SIGKILL of the host holding the slot: the next host starts within TTL + 1 s", async (t) => {
    const etcd = suite.etcd(t);
    if (etcd === undefined) return;
    const fleet = suite.fleet(etcd, [
      "--app",
      "held",
      "--from",
      "1",
      "--release",
      "2",
      "--ttl",
      String(TTL_SECONDS),
    ]);
    const holder = fleet.start("h1", ["--swap-ms", "600000"]);
    await fleet.waitFor("h1 to take the slot", (l) => l.some((x) => x.kind === "start" && x.host === "h1"));
    const next = fleet.start("h2", ["--swap-ms", "200"]);
    // Queued behind h1: its own gate says so.
    await fleet.waitForEvent(
      "h2",
      "waiting for a slot",
      (e) => e.type === "rollout.waiting" && e.data?.reason === "slots",
    );
    await holder.kill();
    const killedAt = Date.now();
    const lines = await fleet.waitFor("h2 to start", (l) =>
      l.some((x) => x.kind === "start" && x.host === "h2"),
    );
    const started = lines.find((x) => x.kind === "start" && x.host === "h2")!.at;
    t.diagnostic(`h2 started ${started - killedAt} ms after h1 was killed (TTL ${TTL_SECONDS} s)`);
    assert.ok(started >= killedAt, "h2 waited for the slot");
    assert.ok(started - killedAt <= WITHIN_MS, `h2 started ${started - killedAt} ms after h1 died`);
    assert.ok(next.alive());
  });

  test("a killed host disappears from fleet status within the TTL", async (t) => {
    const etcd = suite.etcd(t);
    if (etcd === undefined) return;
    const fleet = suite.fleet(etcd, [
      "--app",
      "gone",
      "--from",
      "1",
      "--release",
      "1",
      "--ttl",
      String(TTL_SECONDS),
    ]);
    const doomed = fleet.start("d1");
    fleet.start("d2");
    await fleet.waitFor("both idle", (l) => l.filter((x) => x.kind === "idle").length === 2);
    const before = await readFleetStatus({ endpoints: [etcd.url], app: "gone" });
    assert.deepEqual(
      before.hosts.map((h) => h.host),
      ["d1", "d2"],
    );
    await doomed.kill();
    const killedAt = Date.now();
    const goneAt = await waitUntilGone(etcd.url, "d1");
    t.diagnostic(`d1 left fleet status ${goneAt - killedAt} ms after it was killed (TTL ${TTL_SECONDS} s)`);
    assert.ok(goneAt - killedAt <= WITHIN_MS, `d1 was listed ${goneAt - killedAt} ms after it died`);
    const after = await readFleetStatus({ endpoints: [etcd.url], app: "gone" });
    assert.deepEqual(
      after.apps[0]?.hosts.map((h) => h.host),
      ["d2"],
      "its app status went with it",
    );
  });
});
