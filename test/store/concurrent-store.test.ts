import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { storeRelease } from "../../src/store/index.js";
import { gitSync, makeAppRepo } from "../support/app-repo.js";
import { skiffOk } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";
import { makeStoreInput, paths, show } from "./store-input.js";

function releaseFolders(repo: string): number[] {
  const numbers = paths(repo, "hello/releases/")
    .filter((p) => p.endsWith("/manifest.json"))
    .map((p) => Number(p.split("/")[2]));
  return numbers.sort((a, b) => a - b);
}

describe("concurrent stores", () => {
  it("land both, with distinct numbers, when two storeRelease calls race on an empty repository", async () => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    gitSync(dir, ["init", "--quiet", "--bare", "--initial-branch=main", repo]);
    const builds = [0, 1, 2].map((i) => makeStoreInput(join(dir, `b${i}`), { content: `build ${i}` }));
    const results = await Promise.all(builds.map((build) => storeRelease({ to: repo, build })));
    assert.deepEqual(results.map((r) => r.release).sort(), [1, 2, 3]);
    assert.deepEqual(releaseFolders(repo), [1, 2, 3]);
    assert.ok(
      results.some((r) => r.attempts > 1),
      "at least one store lost a race and retried",
    );
    // The sequence grew once per manifest; current names the last one to land.
    assert.deepEqual(results.map((r) => r.sequence).sort(), [1, 2, 3]);
    assert.equal(show(repo, "hello/current"), "3");
    for (const r of results) {
      const manifest = JSON.parse(show(repo, `hello/releases/${r.release}/manifest.json`)) as {
        build: { id: string };
      };
      assert.equal(
        manifest.build.id,
        r.manifest.build.id,
        "each release folder holds the build that claimed it",
      );
    }
    assert.equal(gitSync(repo, ["rev-list", "--count", "main"]), "3");
  });

  it("land both when two skiff store processes race", async () => {
    const dir = tempDir();
    const app = makeAppRepo(join(dir, "app"));
    await skiffOk(["build"], { cwd: app });
    const repo = join(dir, "deploy.git");
    gitSync(dir, ["init", "--quiet", "--bare", "--initial-branch=main", repo]);
    const runs = await Promise.all(
      [0, 1].map(() => skiffOk(["store", "--to", repo, "--json"], { cwd: app })),
    );
    const numbers = runs.map((run) => (JSON.parse(run.stdout) as { release: number }).release).sort();
    assert.deepEqual(numbers, [1, 2]);
    assert.deepEqual(releaseFolders(repo), [1, 2]);
  });
});
