// skiff server --fleet: its embedded agent registers in etcd, and `skiff fleet status` without
// --fleet asks the logged-in server (GET /api/v1/fleet) instead of etcd.
import assert from "node:assert/strict";
import { after, it } from "node:test";
import { etcdUnavailable, startEtcd } from "../support/etcd.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";
import { requireTier } from "../support/tiers.js";
import { serverSandbox } from "../server/server-harness.js";

interface FleetJson {
  hosts: { host: string; labels: Record<string, string> }[];
}

it("skiff server --fleet joins the fleet; skiff fleet status reads it through the server's API", async (t) => {
  if (!requireTier(t, "etcd", etcdUnavailable())) return;
  const etcd = await startEtcd();
  after(() => etcd.stop());
  const server = await serverSandbox().start(["--fleet", etcd.url, "--host", "srv-1"]);
  const env = { HOME: tempDir("skiff-home-"), SKIFF_URL: server.url, SKIFF_TOKEN: server.token };

  const remote = JSON.parse((await skiffOk(["fleet", "status", "--json"], { env })).stdout) as FleetJson;
  assert.deepEqual(
    remote.hosts.map((h) => h.host),
    ["srv-1"],
  );
  // The same fleet as etcd itself says.
  const direct = JSON.parse(
    (await skiffOk(["fleet", "status", "--json", "--fleet", etcd.url])).stdout,
  ) as FleetJson;
  assert.deepEqual(
    direct.hosts.map((h) => h.host),
    ["srv-1"],
  );

  // A server without --fleet says so, with a hint, instead of an empty fleet.
  const alone = await serverSandbox().start();
  const refused = await runSkiff(["fleet", "status"], {
    env: { ...env, SKIFF_URL: alone.url, SKIFF_TOKEN: alone.token },
  });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /ERR_SKIFF_USAGE: the logged-in server is not part of a fleet\nhint: /);
});
