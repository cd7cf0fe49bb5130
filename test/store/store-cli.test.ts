import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { PointerChange, ReleaseInfo, StoreResult } from "../../src/store/index.js";
import { gitSync, makeAppRepo, writeFixture, commitAll } from "../support/app-repo.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";
import { show } from "./store-input.js";

describe("skiff store, releases, rollback", () => {
  it("stores the latest build, lists releases and rolls back, as a user runs them", async () => {
    const dir = tempDir();
    const app = makeAppRepo(join(dir, "app"));
    const head = gitSync(app, ["rev-parse", "HEAD"]);
    await skiffOk(["build"], { cwd: app });
    const first = await skiffOk(["store", "--to", "../deploy.git", "--json"], { cwd: app });
    const result = JSON.parse(first.stdout) as StoreResult;
    assert.equal(result.release, 1);
    assert.equal(result.manifest.source.commit, head);
    assert.match(first.stderr, /stored hello release 1 \(unix\) → /);

    writeFixture(app, "serve", "v2");
    commitAll(app, "v2");
    await skiffOk(["build", "--dir", app]);
    await skiffOk(["store", "--to", join(dir, "deploy.git"), "--dir", app, "--keep", "5"]);
    const repo = join(dir, "deploy.git");
    assert.equal(show(repo, "hello/current"), "2");

    const listed = JSON.parse(
      (await skiffOk(["releases", "hello", "--repo", repo, "--json"])).stdout,
    ) as ReleaseInfo[];
    assert.deepEqual(
      listed.map((r) => [r.release, r.current]),
      [
        [1, false],
        [2, true],
      ],
    );
    const table = (await skiffOk(["releases", "hello", "--repo", repo])).stdout;
    assert.match(table, /^2\s+\S+\s+[0-9a-f]{7}\s+unix \(unix\)\s+2\.0\s+-\s+current$/m);

    const back = JSON.parse(
      (await skiffOk(["rollback", "hello", "--repo", repo, "--json"])).stdout,
    ) as PointerChange;
    assert.deepEqual([back.from, back.to], [2, 1]);
    assert.equal(show(repo, "hello/current"), "1");

    const nothing = await runSkiff(["rollback", "hello", "--repo", repo]);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /ERR_SKIFF_NOTHING_TO_ROLL_BACK/);
    const missing = await runSkiff(["rollback", "hello", "--to", "9", "--repo", repo]);
    assert.match(missing.stderr, /ERR_SKIFF_NO_SUCH_RELEASE/);
    const badKeep = await runSkiff(["store", "--to", repo, "--keep", "zero"], { cwd: app });
    assert.match(badKeep.stderr, /ERR_SKIFF_USAGE/);
    const noApp = await runSkiff(["releases", "nope", "--repo", repo]);
    assert.match(noApp.stderr, /ERR_SKIFF_NO_SUCH_APP/);
  });

  it("says there is no build when skiff build has not run", async () => {
    const dir = tempDir();
    const app = makeAppRepo(join(dir, "app"));
    const run = await runSkiff(["store", "--to", join(dir, "deploy.git")], { cwd: app });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /ERR_SKIFF_NO_BUILD/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
  });
});
