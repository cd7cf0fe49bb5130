import assert from "node:assert/strict";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { storeRelease } from "../../src/store/index.js";
import { gitSync } from "../support/app-repo.js";
import { tempDir } from "../support/temp.js";
import { makeStoreInput, show, snapshot } from "./store-input.js";

/** Refs, tree, every loose object and pack, and whatever else sits in objects/: equal means untouched. */
function fullSnapshot(repo: string): string {
  const objects = join(repo, "objects");
  const listing = readdirSync(objects, { recursive: true, encoding: "utf8" }).sort();
  return [snapshot(repo), gitSync(repo, ["count-objects", "-v"]), ...listing].join("\n");
}

/** A deployment repository holding release 1, and a second build ready to store. */
async function repoWithOneRelease(): Promise<{ dir: string; repo: string }> {
  const dir = tempDir();
  const repo = join(dir, "deploy.git");
  await storeRelease({ to: repo, build: makeStoreInput(join(dir, "b1")) });
  return { dir, repo };
}

describe("storing into a local deployment repository", () => {
  it("leaves refs, tree and object directory as they were when main stays locked by another writer", async () => {
    const { dir, repo } = await repoWithOneRelease();
    const before = fullSnapshot(repo);
    // What another writer holds while it moves main: every attempt finds main taken.
    const lock = join(repo, "refs", "heads", "main.lock");
    writeFileSync(lock, "");
    const build = makeStoreInput(join(dir, "b2"), { content: "v2 with new objects" });
    await assert.rejects(storeRelease({ to: repo, build, attempts: 1 }), {
      code: "ERR_SKIFF_STORE_CONFLICT",
    });
    rmSync(lock);
    assert.equal(fullSnapshot(repo), before, "no new object, no quarantine left behind");

    const stored = await storeRelease({ to: repo, build, attempts: 1 });
    assert.equal(stored.release, 2);
    assert.equal(show(repo, "hello/current"), "2");
    gitSync(repo, ["fsck", "--strict", "--no-dangling"]);
    assert.deepEqual(
      readdirSync(join(repo, "objects")).filter((name) => name.startsWith("tmp_")),
      [],
      "the quarantine is gone after a store that landed",
    );
  });

  it("leaves the object directory as it was when the ref update is refused at the last moment", async () => {
    const { dir, repo } = await repoWithOneRelease();
    const before = fullSnapshot(repo);
    // git runs reference-transaction for every ref update; refusing "prepared" aborts it after all objects exist.
    writeFileSync(
      join(repo, "hooks", "reference-transaction"),
      '#!/bin/sh\n[ "$1" = prepared ] && { echo main is frozen >&2; exit 1; }\nexit 0\n',
      { mode: 0o755 },
    );
    const started = Date.now();
    await assert.rejects(
      storeRelease({ to: repo, build: makeStoreInput(join(dir, "b2"), { content: "v2" }) }),
      (error: { code: string; data: { detail: string } }) =>
        error.code === "ERR_SKIFF_STORE_FAILED" && /aborted by hook/.test(error.data.detail),
    );
    assert.ok(Date.now() - started < 5000, "a refused update is not retried as if it were a race");
    assert.equal(fullSnapshot(repo), before);
  });

  it("writes in place without a push: the repository's receive hooks do not run", async () => {
    const { dir, repo } = await repoWithOneRelease();
    writeFileSync(join(repo, "hooks", "pre-receive"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    const stored = await storeRelease({
      to: repo,
      build: makeStoreInput(join(dir, "b2"), { content: "v2" }),
    });
    assert.equal(stored.release, 2);
    assert.equal(gitSync(repo, ["rev-parse", "main"]), stored.commit);
    gitSync(repo, ["fsck", "--strict", "--no-dangling"]);
  });
});
