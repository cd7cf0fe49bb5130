import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { mirrorPath } from "../../src/agent/index.js";
import { skiffOk } from "../support/run-skiff.js";
import { createReadOnlyToken, gitPush, serverSandbox } from "../server/server-harness.js";
import { commitAll, writeFixture } from "../support/app-repo.js";
import {
  deployOnce,
  heldImages,
  imageBlob,
  makeImageHost,
  storeRecorded,
  type ImageHost,
} from "../store/image-host.js";

/** One pass following `url`: the app serves `expect`, from a partial mirror. */
async function joinOnce(host: ImageHost, url: string, expect: string): Promise<void> {
  await deployOnce(host, url, expect);
  const marker = JSON.parse(readFileSync(join(mirrorPath(host.data), "skiff-mirror.json"), "utf8")) as {
    kind: string;
  };
  assert.equal(marker.kind, "partial");
}

describe("a partial mirror, whoever serves the deployment repository", () => {
  it("over file:// (git's own upload-pack): the host holds the image of the release it runs, no other", async () => {
    const host = await makeImageHost();
    const images = new Map<number, string>();
    for (const version of ["v1", "v2", "v3"]) await storeRecorded(host, images, version);
    await joinOnce(host, `file://${host.repo}`, "v3");
    assert.deepEqual(heldImages(mirrorPath(host.data), images), [3]);
    await storeRecorded(host, images, "v4");
    await joinOnce(host, `file://${host.repo}`, "v4");
    assert.deepEqual(heldImages(mirrorPath(host.data), images), [3, 4]);
    await skiffOk(["stop", host.app, "--data", host.data]);
  });

  it("over skiff server's git endpoint (its own upload-pack answers, a read-only token)", async () => {
    const sandbox = serverSandbox();
    const server = await sandbox.start();
    const host = await makeImageHost();
    host.repo = join(server.data, "deploy.git");
    // Release 1 comes from a push (the server builds and stores it, its own agent deploys it); the
    // server's agent then leaves the app alone, so the follower below serves it on the app's port.
    writeFixture(host.appDir, "serve", "v1");
    commitAll(host.appDir, "release v1");
    const push = await gitPush(host.appDir, server.gitUrl(host.app));
    assert.equal(push.code, 0, push.stderr);
    await skiffOk(["stop", host.app, "--data", server.data]);
    const images = new Map([[1, imageBlob(host, 1)]]);
    for (const version of ["v2", "v3"]) await storeRecorded(host, images, version);
    const url = server.gitUrl("deploy", await createReadOnlyToken(server.data));
    await joinOnce(host, url, "v3");
    assert.deepEqual(heldImages(mirrorPath(host.data), images), [3]);
    await skiffOk(["rollback", host.app, "--repo", host.repo, "--to", "1"]);
    await joinOnce(host, url, "v1");
    assert.deepEqual(heldImages(mirrorPath(host.data), images), [1, 3]);
    await skiffOk(["stop", host.app, "--data", host.data]);
  });
});
