import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { EventInput } from "../../src/events/index.js";
import { Etcd3 } from "etcd3";
import { connectFleet, type FleetGate, type HostAppStatus } from "../../src/fleet/index.js";
import { useFleetSuite } from "./fleet-hosts.js";

const rollout = { max_parallel: 1, pause: "0s", halt_on_failure: true };

interface Gate {
  gate: FleetGate;
  events: EventInput[];
}

async function openGate(url: string, host: string, gates: Gate[]): Promise<Gate> {
  const events: EventInput[] = [];
  const gate = await connectFleet({ endpoints: [url], host, events: { emit: (e) => events.push(e) } });
  const entry = { gate, events };
  gates.push(entry);
  return entry;
}

async function waitForEvent(gate: Gate, type: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!gate.events.some((e) => e.type === type)) {
    if (Date.now() > deadline) throw new Error(`no ${type} event`);
    await sleep(20);
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    sleep(ms).then(() => {
      throw new Error(`${what} did not happen within ${ms} ms`);
    }),
  ]);
}

const status = (app: string): HostAppStatus => ({
  app,
  release: 1,
  sync: "Synced",
  health: "Healthy",
  drivers: ["unix"],
  targets: ["unix"],
});

describe("the FleetGate the agent calls (in this process, real etcd)", () => {
  const suite = useFleetSuite();

  test("an aborted wait rejects with the signal's reason and gives up its place; close() ends a wait", async (t) => {
    const etcd = suite.etcd(t);
    if (etcd === undefined) return;
    const gates: Gate[] = [];
    try {
      const [a, b, c, d] = [
        await openGate(etcd.url, "a", gates),
        await openGate(etcd.url, "b", gates),
        await openGate(etcd.url, "c", gates),
        await openGate(etcd.url, "d", gates),
      ];
      const never = new AbortController().signal;
      const slotA = await a.gate.acquireSlot({ app: "gate", release: 1, rollout, signal: never });
      assert.equal(slotA.held, true);

      const superseded = new AbortController();
      const waitB = b.gate.acquireSlot({ app: "gate", release: 1, rollout, signal: superseded.signal });
      await waitForEvent(b, "rollout.waiting");
      const waitC = c.gate.acquireSlot({ app: "gate", release: 1, rollout, signal: never });
      await waitForEvent(c, "rollout.waiting");
      superseded.abort(new Error("a newer release"));
      await assert.rejects(waitB, /a newer release/);

      // b's gate stays open: had its key stayed in line, c would wait behind it.
      await slotA.release({ ok: true });
      const slotC = await within(waitC, 10_000, "c taking the slot b gave up");
      assert.equal(slotC.held, true);

      const waitD = d.gate.acquireSlot({ app: "gate", release: 1, rollout, signal: never });
      await waitForEvent(d, "rollout.waiting");
      const closed = assert.rejects(waitD, /the fleet gate was closed/);
      await d.gate.close();
      await closed;
      await slotC.release({ ok: true });
    } finally {
      for (const { gate } of gates) await gate.close();
    }
  });

  test("publish replaces the host's apps (a removed app leaves the fleet); a malformed status is a bug, thrown at once", async (t) => {
    const etcd = suite.etcd(t);
    if (etcd === undefined) return;
    const gates: Gate[] = [];
    try {
      const { gate } = await openGate(etcd.url, "pub", gates);
      const apps = async (): Promise<string[]> =>
        (await gate.readStatus()).hosts.find((h) => h.host === "pub")?.apps.map((s) => s.app) ?? [];
      const until = async (expected: string[]): Promise<void> => {
        const deadline = Date.now() + 10_000;
        while (JSON.stringify(await apps()) !== JSON.stringify(expected)) {
          if (Date.now() > deadline)
            throw new Error(`apps never became ${expected.join(",")}: ${(await apps()).join(",")}`);
          await sleep(20);
        }
      };
      gate.publish([status("one"), status("two")]);
      await until(["one", "two"]);
      gate.publish([{ ...status("one"), health: "Suspended", release: null }]);
      await until(["one"]);
      const one = (await gate.readStatus("one")).apps[0]?.hosts[0];
      assert.deepEqual([one?.release, one?.health], [null, "Suspended"]);

      assert.throws(() => gate.publish([{ ...status("one"), sync: "Bogus" as "Synced" }]), TypeError);
      assert.throws(() => gate.publish([status("one"), status("one")]), /lists an app twice/);
    } finally {
      for (const { gate } of gates) await gate.close();
    }
  });

  test("a lease etcd no longer has (revoked, or expired while the host was cut off) is granted anew and the host's keys put again", async (t) => {
    const etcd = suite.etcd(t);
    if (etcd === undefined) return;
    const gates: Gate[] = [];
    const admin = new Etcd3({ hosts: etcd.url });
    try {
      const host = await openGate(etcd.url, "phoenix", gates);
      host.gate.publish([status("bird")]);
      const leaseOf = async (): Promise<string | undefined> => {
        const response = await admin.get("/skiff/v1/apps/bird/hosts/phoenix").exec();
        return response.kvs[0]?.lease;
      };
      const deadline = Date.now() + 10_000;
      let first = await leaseOf();
      while (first === undefined && Date.now() < deadline) first = await sleep(20).then(leaseOf);
      assert.ok(first !== undefined, "published");
      await admin.leaseClient.leaseRevoke({ ID: first });
      let again = await leaseOf();
      while ((again === undefined || again === first) && Date.now() < deadline)
        again = await sleep(20).then(leaseOf);
      assert.ok(
        again !== undefined && again !== first,
        `the app's status came back under a new lease (${again})`,
      );
      assert.deepEqual(
        (await host.gate.readStatus()).hosts.map((h) => h.host),
        ["phoenix"],
      );
      await waitForEvent(host, "fleet.reconnected");
    } finally {
      admin.close();
      for (const { gate } of gates) await gate.close();
    }
  });

  test("a new rollout retires the app's rollouts older than the last 10", async (t) => {
    const etcd = suite.etcd(t);
    if (etcd === undefined) return;
    const gates: Gate[] = [];
    try {
      const { gate } = await openGate(etcd.url, "keeper", gates);
      const never = new AbortController().signal;
      for (let release = 1; release <= 12; release++) {
        const slot = await gate.acquireSlot({ app: "kept", release, rollout, signal: never });
        await slot.release({ ok: true });
      }
      const admin = new Etcd3({ hosts: etcd.url });
      try {
        const keys = await admin.getAll().prefix("/skiff/v1/apps/kept/rollouts/").keys();
        const releases = [...new Set(keys.map((key) => Number(key.split("/")[6])))].sort((a, b) => a - b);
        assert.deepEqual(releases, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      } finally {
        admin.close();
      }
    } finally {
      for (const { gate } of gates) await gate.close();
    }
  });
});
