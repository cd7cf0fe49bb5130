import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { mirrorPath, startAgent, type AgentHandle } from "../../src/agent/index.js";
import { loadPublicKey } from "../../src/trust/index.js";
import { gitSync } from "../support/app-repo.js";
import { startGitHttpServer, type GitHttpServer } from "../support/git-http-server.js";
import { httpGet } from "../support/http.js";
import { skiffOk } from "../support/run-skiff.js";
import { IMAGE_BYTES, makeImageHost, storeImageRelease, type ImageHost } from "./image-host.js";

/** A running follower of `host`'s repository over HTTP (a partial mirror), polling only when asked. */
async function follow(
  host: ImageHost,
  extra: Partial<Parameters<typeof startAgent>[0]> = {},
): Promise<{ agent: AgentHandle; server: GitHttpServer }> {
  const server = await startGitHttpServer(host.root);
  const agent = await startAgent({
    repo: `${server.url}/deploy.git`,
    data: host.data,
    pollMs: 3_600_000,
    ...extra,
  });
  host.stopFirst.push(async () => {
    await agent.stop();
    await server.close();
  });
  return { agent, server };
}

function mirrorTip(host: ImageHost): string {
  return gitSync(mirrorPath(host.data), ["rev-parse", "main"]);
}

async function served(host: ImageHost): Promise<string> {
  return (await httpGet(host.url)).body;
}

describe("followers after skiff gc", () => {
  it("a running follower takes the gc's rewrite without fetching any image again, and deploys the next release", async () => {
    const host = await makeImageHost();
    for (const version of ["v1", "v2", "v3", "v4"]) await storeImageRelease(host, version);
    const { agent, server } = await follow(host);
    await agent.reconcileNow();
    // The pass hands the deploy to the app's worker; it is done once that settles.
    await agent.settled(host.app);
    assert.equal(await served(host), "v4 hello\n");
    await skiffOk(["gc", "--repo", host.repo, "--keep", "1"]);
    server.reset();
    const pass = await agent.reconcileNow();
    // The pass hands the deploy to the app's worker; it is done once that settles.
    await agent.settled(host.app);
    assert.equal(pass.commit, gitSync(host.repo, ["rev-parse", "main"]));
    assert.equal(mirrorTip(host), pass.commit);
    // The rewritten commits and trees, no image: not a clone again.
    assert.ok(server.sentBytes() < IMAGE_BYTES / 2, `sent ${server.sentBytes()} bytes`);
    assert.equal(await served(host), "v4 hello\n");
    await storeImageRelease(host, "v5");
    await agent.reconcileNow();
    // The pass hands the deploy to the app's worker; it is done once that settles.
    await agent.settled(host.app);
    assert.equal(await served(host), "v5 hello\n");
    await skiffOk(["stop", host.app, "--data", host.data]);
  });

  it("a rewrite without a new gc record is refused: the follower keeps serving and its mirror stays", async () => {
    const host = await makeImageHost();
    for (const version of ["v1", "v2", "v3"]) await storeImageRelease(host, version);
    const { agent } = await follow(host);
    await agent.reconcileNow();
    // The pass hands the deploy to the app's worker; it is done once that settles.
    await agent.settled(host.app);
    const followed = mirrorTip(host);
    const work = join(host.root, "work");
    gitSync(host.root, ["clone", "--quiet", host.repo, work]);
    // Release 2's commit rewritten (its message, as any history edit would): everything after it changes.
    gitSync(work, [
      "-c",
      "sequence.editor=sed -i 1s/^pick/reword/",
      "-c",
      "core.editor=sed -i 1s/$/-edited/",
      "rebase",
      "--quiet",
      "-i",
      "HEAD~2",
    ]);
    gitSync(work, ["push", "--quiet", "--force", "origin", "HEAD:main"]);
    await assert.rejects(agent.reconcileNow(), { code: "ERR_SKIFF_HISTORY_REWRITTEN" });
    assert.equal(mirrorTip(host), followed);
    assert.equal(await served(host), "v3 hello\n");

    // After a real gc the old record is in the tree: rewriting history again with it is still refused.
    gitSync(work, ["push", "--quiet", "--force", "origin", `${followed}:refs/heads/main`]);
    await skiffOk(["gc", "--repo", host.repo, "--keep", "1"]);
    await agent.reconcileNow();
    // The pass hands the deploy to the app's worker; it is done once that settles.
    await agent.settled(host.app);
    const collected = mirrorTip(host);
    gitSync(work, ["fetch", "--quiet", "origin"]);
    gitSync(work, ["reset", "--quiet", "--hard", "origin/main"]);
    gitSync(work, ["commit", "--quiet", "--amend", "-m", "gc: not really"]);
    gitSync(work, ["push", "--quiet", "--force", "origin", "HEAD:main"]);
    await assert.rejects(agent.reconcileNow(), { code: "ERR_SKIFF_HISTORY_REWRITTEN" });
    assert.equal(mirrorTip(host), collected);
    assert.equal(await served(host), "v3 hello\n");
    await skiffOk(["stop", host.app, "--data", host.data]);
  });

  it("a host with --trust takes a rewrite only with a gc record signed by its keys", async () => {
    const host = await makeImageHost();
    const keys = join(host.root, "keys");
    mkdirSync(keys);
    await skiffOk(["keys", "generate", "--out", keys]);
    const key = join(keys, "skiff.key");
    const sign = ["--key", key, "--expires", "30d"];
    for (const version of ["v1", "v2", "v3", "v4"])
      await storeImageRelease(host, version, { storeArgs: sign });
    const trust = { trusted: [loadPublicKey(join(keys, "skiff.pub"), "ed25519")], threshold: 1 };
    const { agent } = await follow(host, { trust });
    await agent.reconcileNow();
    // The pass hands the deploy to the app's worker; it is done once that settles.
    await agent.settled(host.app);
    const followed = mirrorTip(host);
    await skiffOk(["gc", "--repo", host.repo, "--keep", "2"]);
    await assert.rejects(agent.reconcileNow(), (error: Error & { code?: string }) => {
      assert.equal(error.code, "ERR_SKIFF_HISTORY_REWRITTEN");
      assert.match(error.message, /not signed/);
      return true;
    });
    assert.equal(mirrorTip(host), followed);
    // The next gc, signed, collects one more release: its record accounts for both rewrites.
    await storeImageRelease(host, "v5", { storeArgs: sign });
    await skiffOk(["gc", "--repo", host.repo, "--keep", "2", ...sign.slice(0, 2)]);
    const pass = await agent.reconcileNow();
    // The pass hands the deploy to the app's worker; it is done once that settles.
    await agent.settled(host.app);
    assert.equal(pass.commit, gitSync(host.repo, ["rev-parse", "main"]));
    assert.equal(await served(host), "v5 hello\n");
    await skiffOk(["stop", host.app, "--data", host.data]);
  });
});
