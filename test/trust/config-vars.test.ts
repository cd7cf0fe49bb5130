import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gitSync } from "../support/app-repo.js";
import { waitForBody } from "../support/http.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { buildAndStore, makeTrustHost, runAgent, runningInstance } from "./trust-host.js";

const host = await makeTrustHost();

function blobs(release: number): string[] {
  const listing = gitSync(host.repo, ["ls-tree", "main", `${host.app}/releases/${release}/`]);
  return listing
    .split("\n")
    .filter((line) => line.endsWith(".gz"))
    .map((line) => line.split(/\s+/)[2]!);
}

function manifestOf(release: number): {
  imageFrom?: number;
  sequence: number;
  deploy: { env: Record<string, string> };
} {
  const text = gitSync(host.repo, ["show", `main:${host.app}/releases/${release}/manifest.json`]);
  return (JSON.parse(text) as { signed: ReturnType<typeof manifestOf> }).signed;
}

describe("config vars (config:set, config:unset, config)", () => {
  it("config:set changes what the app serves without a build: a new signed release with the same image", async () => {
    await buildAndStore(host, { version: "v1", storeArgs: ["--key", host.key] });
    const trust = ["--trust", host.pub];
    assert.equal((await runAgent(host.repo, host.data, trust)).code, 0);
    assert.equal(await waitForBody(runningInstance(host.data).url, "v1"), "v1 hello\n");
    const builds = readdirSync(join(host.appDir, ".skiff", "builds")).sort();

    const set = await skiffOk([
      "config:set",
      host.app,
      "GREETING=hi",
      "--repo",
      host.repo,
      "--key",
      host.key,
      "--json",
    ]);
    const change = JSON.parse(set.stdout) as {
      release: number;
      from: number;
      changed: boolean;
      pointer: string;
    };
    assert.deepEqual([change.release, change.from, change.changed, change.pointer], [2, 1, true, "current"]);
    assert.deepEqual(readdirSync(join(host.appDir, ".skiff", "builds")).sort(), builds, "a build ran");
    assert.deepEqual(blobs(2), blobs(1), "the image was not reused as the same git blobs");
    assert.equal(manifestOf(2).imageFrom, 1);
    assert.equal(manifestOf(2).deploy.env.GREETING, "hi");
    assert.ok(manifestOf(2).sequence > manifestOf(1).sequence);

    assert.equal((await runAgent(host.repo, host.data, trust)).code, 0);
    assert.equal(runningInstance(host.data).release, 2);
    assert.equal(await waitForBody(runningInstance(host.data).url, "hi"), "v1 hi\n");

    const shown = JSON.parse((await skiffOk(["config", host.app, "--repo", host.repo, "--json"])).stdout) as {
      release: number;
      env: Record<string, string>;
    };
    assert.deepEqual(shown, { app: host.app, release: 2, env: { GREETING: "hi" } });

    await skiffOk(["config:unset", host.app, "GREETING", "--repo", host.repo, "--key", host.key]);
    assert.equal((await runAgent(host.repo, host.data, trust)).code, 0);
    assert.equal(runningInstance(host.data).release, 3);
    assert.equal(manifestOf(3).imageFrom, 1);
    assert.equal(await waitForBody(runningInstance(host.data).url, "hello"), "v1 hello\n");
  });

  it("refuses a name that is not a config var name, and an unsigned change in a signed app", async () => {
    const bad = await runSkiff(["config:set", host.app, "1X=y", "--repo", host.repo]);
    assert.match(bad.stderr, /ERR_SKIFF_USAGE/);
    const before = gitSync(host.repo, ["rev-parse", "main"]);
    const unsigned = await runSkiff(["config:set", host.app, "GREETING=unsigned", "--repo", host.repo]);
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.stderr, /ERR_SKIFF_KEY_REQUIRED/);
    assert.equal(gitSync(host.repo, ["rev-parse", "main"]), before, "nothing was written");
    const run = await runAgent(host.repo, host.data, ["--trust", host.pub]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(runningInstance(host.data).release, 3);
  });
});
