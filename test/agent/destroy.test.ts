import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { isSameProcess } from "../../src/process/index.js";
import { destroyApp } from "../../src/store/index.js";
import { gitSync } from "../support/app-repo.js";
import { waitForBody } from "../support/http.js";
import { skiffOk } from "../support/run-skiff.js";
import { buildAndStore, makeTrustHost, runAgent } from "../trust/trust-host.js";
import { agentOnce, makeDeployHost, readEvents, readStateFile, storeNextRelease } from "./deploy-host.js";

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

describe("an app's tombstone in the deployment repository", () => {
  it("a follower stops the app, frees its address and forgets it; a later store brings it back with the next number", async () => {
    const host = await makeDeployHost();
    await storeNextRelease(host, { version: "v1" });
    await storeNextRelease(host, { version: "v2" });
    assert.equal((await agentOnce(host)).code, 0);
    await waitForBody(host.url, "v2");
    const state = readStateFile(host.data).apps.hello!.instance!;
    const { handle } = state;

    const destroyed = await destroyApp({ repo: host.repo, app: "hello" });
    assert.deepEqual([destroyed.changed, destroyed.current, destroyed.removed], [true, 2, []]);
    assert.deepEqual(gitSync(host.repo, ["ls-tree", "--name-only", "main:hello"]).split("\n"), [
      "destroyed",
      "releases",
      "sequence",
    ]);
    const pass = await agentOnce(host);
    assert.equal(pass.code, 0, pass.stderr);
    assert.equal(isSameProcess(handle.pid, handle.startTime), false, "the instance still runs");
    assert.equal(await isPortFree(host.port), true, "the public address is still taken");
    assert.equal(readStateFile(host.data).apps.hello, undefined);
    assert.ok(readEvents(host.data).some((e) => e.type === "app.destroyed" && e.app === "hello"));
    // Nothing more to do on the next pass: the app is forgotten, not destroyed again.
    const plan = JSON.parse(
      (await skiffOk(["agent", "--repo", host.repo, "--data", host.data, "--dry-run", "--json"])).stdout,
    ) as {
      actions: unknown[];
    };
    assert.deepEqual(plan.actions, []);

    // --purge removes the release folders; the sequence stays, so numbers go on.
    const purged = await destroyApp({ repo: host.repo, app: "hello", purge: true });
    assert.deepEqual(purged.removed, [1, 2]);
    assert.equal(await storeNextRelease(host, { version: "v3" }), 3);
    assert.deepEqual(gitSync(host.repo, ["ls-tree", "--name-only", "main:hello"]).split("\n"), [
      "current",
      "releases",
      "sequence",
    ]);
    assert.equal((await agentOnce(host)).code, 0);
    await waitForBody(host.url, "v3");
  });

  it("a host that checks signatures leaves the app running and says why", async () => {
    const host = await makeTrustHost();
    await buildAndStore(host, { version: "v1", storeArgs: ["--key", host.key] });
    assert.equal((await runAgent(host.repo, host.data, ["--trust", host.pub])).code, 0);
    await waitForBody(host.url, "v1");
    await destroyApp({ repo: host.repo, app: "hello" });
    const pass = await runAgent(host.repo, host.data, ["--trust", host.pub]);
    assert.notEqual(pass.code, 0);
    const skipped = readEvents(host.data).find((e) => e.type === "app.skipped");
    assert.equal(skipped?.error?.code, "ERR_SKIFF_UNSIGNED");
    assert.match(skipped?.error?.hint ?? "", /skiff stop hello --data/);
    assert.equal(await waitForBody(host.url, "v1"), "v1 hello\n");
  });
});
