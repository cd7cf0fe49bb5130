import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gitSync } from "../support/app-repo.js";
import { httpGet } from "../support/http.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { readEvents } from "../agent/deploy-host.js";
import {
  IMAGE_BYTES,
  agentOnce,
  allObjects,
  imageBlob,
  makeImageHost,
  storeImageRelease,
  type ImageHost,
} from "./image-host.js";

interface GcJson {
  collected: Record<string, number[]>;
  kept: Record<string, number[]>;
  previousTip: string;
  tip: string;
  bytesBefore: number;
  bytesAfter: number;
}

async function deploys(host: ImageHost, release: number, version: string): Promise<void> {
  await skiffOk(["rollback", host.app, "--repo", host.repo, "--to", String(release)]);
  const run = await agentOnce(host, host.repo);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal((await httpGet(host.url)).body, `${version} hello\n`);
}

describe("skiff gc", () => {
  it("removes the images of releases outside the kept set from every object, keeps every kept release deployable and the history of manifests and pointers", async () => {
    const host = await makeImageHost();
    const images = new Map<number, string>();
    for (const version of ["v1", "v2", "v3", "v4"]) {
      const release = await storeImageRelease(host, version);
      images.set(release, imageBlob(host, release));
    }
    // 5 waits in staging; 6 is current, and current was 4 before it.
    images.set(5, imageBlob(host, await storeImageRelease(host, "v5", { staged: true })));
    images.set(6, imageBlob(host, await storeImageRelease(host, "v6")));
    // A follower of the local repository (as skiff server's own agent), running 6.
    assert.equal((await agentOnce(host, host.repo)).code, 0);
    assert.equal((await httpGet(host.url)).body, "v6 hello\n");
    const messagesBefore = gitSync(host.repo, ["log", "--format=%s", "main"]).split("\n");
    const sequenceBefore = gitSync(host.repo, ["show", `main:${host.app}/sequence`]);

    const gc = JSON.parse(
      (await skiffOk(["gc", "--repo", host.repo, "--keep", "1", "--json"])).stdout,
    ) as GcJson;
    // The newest, current (6), the previous current (4) and staging (5) keep their images.
    assert.deepEqual(gc.collected, { hello: [1, 2, 3] });
    assert.deepEqual(gc.kept, { hello: [4, 5, 6] });
    const objects = allObjects(host.repo);
    assert.deepEqual(
      [...images].filter(([, blob]) => objects.has(blob)).map(([release]) => release),
      [4, 5, 6],
    );
    assert.ok(gc.bytesAfter < gc.bytesBefore - 3 * IMAGE_BYTES * 0.9, `${gc.bytesBefore} → ${gc.bytesAfter}`);
    const fsck = gitSync(host.repo, ["fsck", "--full", "--strict"]);
    assert.doesNotMatch(fsck, /dangling|missing|broken/);
    // Every commit is still there with its message, the gc's on top; manifests and pointers as they were.
    const messagesAfter = gitSync(host.repo, ["log", "--format=%s", "main"]).split("\n");
    assert.deepEqual(messagesAfter.slice(1), messagesBefore);
    assert.match(messagesAfter[0]!, /^gc: /);
    assert.equal(gitSync(host.repo, ["show", `main:${host.app}/sequence`]), sequenceBefore);
    for (const release of [1, 2, 3]) {
      gitSync(host.repo, ["cat-file", "-e", `main:${host.app}/releases/${release}/manifest.json`]);
    }
    const releases = JSON.parse(
      (await skiffOk(["releases", host.app, "--repo", host.repo, "--json"])).stdout,
    ) as {
      release: number;
      collected?: boolean;
    }[];
    assert.deepEqual(
      releases.filter((r) => r.collected).map((r) => r.release),
      [1, 2, 3],
    );

    // The follower goes on after the rewrite, and the next release takes the next number.
    assert.equal((await agentOnce(host, host.repo)).code, 0);
    assert.equal(await storeImageRelease(host, "v7"), 7);
    assert.equal((await agentOnce(host, host.repo)).code, 0);
    assert.equal((await httpGet(host.url)).body, "v7 hello\n");
    // Each kept release deploys; a collected one is refused with its code and a hint.
    await deploys(host, 4, "v4");
    await deploys(host, 5, "v5");
    await deploys(host, 6, "v6");
    const refused = await runSkiff(["rollback", host.app, "--repo", host.repo, "--to", "2"]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /ERR_SKIFF_RELEASE_COLLECTED/);
    assert.match(refused.stderr, /hint: .*skiff releases hello/);
    await skiffOk(["stop", host.app, "--data", host.data]);
  });

  it("a follower of the local repository a few stores behind takes the gc, though its tip's objects are gone", async () => {
    const host = await makeImageHost();
    for (const version of ["v1", "v2"]) await storeImageRelease(host, version);
    assert.equal((await agentOnce(host, host.repo)).code, 0);
    for (const version of ["v3", "v4"]) await storeImageRelease(host, version);
    await skiffOk(["gc", "--repo", host.repo, "--keep", "1"]);
    const run = await agentOnce(host, host.repo);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal((await httpGet(host.url)).body, "v4 hello\n");
    await skiffOk(["stop", host.app, "--data", host.data]);
  });

  it("an agent told to deploy a collected release says so and keeps the running one", async () => {
    const host = await makeImageHost();
    for (const version of ["v1", "v2", "v3"]) await storeImageRelease(host, version);
    assert.equal((await agentOnce(host, host.repo)).code, 0);
    await skiffOk(["gc", "--repo", host.repo, "--keep", "1"]);
    // Someone points current at release 1 by hand (skiff rollback would refuse).
    const work = join(host.root, "work");
    gitSync(host.root, ["clone", "--quiet", host.repo, work]);
    writeFileSync(join(work, host.app, "current"), "1\n");
    gitSync(work, ["commit", "--quiet", "-am", "current → 1"]);
    gitSync(work, ["push", "--quiet", "origin", "HEAD:main"]);
    await agentOnce(host, host.repo);
    const refused = readEvents(host.data).filter((e) => e.type === "release.refused" && e.release === 1);
    assert.deepEqual(
      refused.map((e) => e.error?.code),
      ["ERR_SKIFF_RELEASE_COLLECTED"],
    );
    assert.equal((await httpGet(host.url)).body, "v3 hello\n");
    await skiffOk(["stop", host.app, "--data", host.data]);
  });

  it("skiff store --keep N --gc keeps the repository to the images of N releases", async () => {
    const host = await makeImageHost();
    const images = new Map<number, string>();
    for (const version of ["v1", "v2", "v3", "v4", "v5"]) {
      const release = await storeImageRelease(host, version, { storeArgs: ["--keep", "2", "--gc"] });
      images.set(release, imageBlob(host, release));
      const objects = allObjects(host.repo);
      const held = [...images].filter(([, blob]) => objects.has(blob)).map(([n]) => n);
      // The newest two (current and the previous current among them).
      assert.deepEqual(held, [...images.keys()].slice(-2));
    }
    // A gc with nothing left to collect changes nothing.
    const tip = gitSync(host.repo, ["rev-parse", "main"]);
    const again = JSON.parse(
      (await skiffOk(["gc", "--repo", host.repo, "--keep", "2", "--json"])).stdout,
    ) as GcJson;
    assert.deepEqual(again.collected, {});
    assert.equal(gitSync(host.repo, ["rev-parse", "main"]), tip);
    const usage = await runSkiff(["store", "--to", host.repo, "--dir", host.appDir, "--gc"]);
    assert.match(usage.stderr, /ERR_SKIFF_USAGE: --gc needs --keep/);
    const url = await runSkiff([
      "store",
      "--to",
      `file://${host.repo}`,
      "--dir",
      host.appDir,
      "--keep",
      "2",
      "--gc",
    ]);
    assert.match(url.stderr, /ERR_SKIFF_USAGE: --gc rewrites a local bare repository/);
    // Refused before anything was stored.
    assert.equal(gitSync(host.repo, ["rev-parse", "main"]), tip);
  });

  it("refuses a repository it cannot rewrite in place", async () => {
    const run = await runSkiff(["gc", "--repo", "http://127.0.0.1:9/deploy.git", "--keep", "2"]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /ERR_SKIFF_USAGE: skiff gc rewrites a local bare repository/);
  });
});
