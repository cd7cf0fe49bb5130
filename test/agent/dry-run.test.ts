import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runSkiff } from "../support/run-skiff.js";
import { makeDeployHost, readEvents, storeNextRelease } from "./deploy-host.js";

test("skiff agent --dry-run prints the plan and starts nothing", async () => {
  const host = await makeDeployHost();
  assert.equal(await storeNextRelease(host, { version: "v1" }), 1);
  const run = await runSkiff(["agent", "--repo", host.repo, "--data", host.data, "--dry-run"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^deploy hello release 1: release 1 is current and nothing runs$/m);
  const json = await runSkiff(["agent", "--repo", host.repo, "--data", host.data, "--dry-run", "--json"]);
  const pass = JSON.parse(json.stdout) as {
    dryRun: boolean;
    actions: { kind: string }[];
    outcomes: unknown[];
  };
  assert.deepEqual([pass.dryRun, pass.actions.map((a) => a.kind), pass.outcomes], [true, ["deploy"], []]);
  const types = readEvents(host.data).map((e) => e.type);
  assert.ok(types.includes("agent.planned"), types.join(","));
  assert.ok(!types.some((t) => t.startsWith("deploy.") || t.startsWith("instance.")), types.join(","));
  assert.equal(existsSync(join(host.data, "instances")), false, "no instance was started");
  assert.equal(existsSync(join(host.data, "front")), false, "no public address was opened");
  assert.equal(existsSync(join(host.data, "state.json")), false, "nothing was recorded");
});
