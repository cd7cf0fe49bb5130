import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { listReleases, rollback, setPointer, storeRelease } from "../../src/store/index.js";
import { gitSync } from "../support/app-repo.js";
import { tempDir } from "../support/temp.js";
import { makeStoreInput, paths, show, snapshot } from "./store-input.js";

async function storeMany(repo: string, dir: string, count: number, keep?: number): Promise<number[]> {
  const numbers = [];
  for (let i = 0; i < count; i++) {
    const build = makeStoreInput(join(dir, `b${Math.random().toString(36).slice(2)}`), { content: `v${i}` });
    numbers.push((await storeRelease({ to: repo, build, keep })).release);
  }
  return numbers;
}

function folders(repo: string): number[] {
  const set = new Set(paths(repo, "hello/releases/").map((p) => Number(p.split("/")[2])));
  return [...set].sort((a, b) => a - b);
}

describe("rollback, setPointer, --keep, listReleases", () => {
  it("rolls current back to the release before it, then to a chosen one, raising the sequence each time", async () => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    await storeMany(repo, dir, 3);
    const first = await rollback({ repo, app: "hello" });
    assert.deepEqual([first.from, first.to, first.sequence], [3, 2, 4]);
    assert.equal(show(repo, "hello/current"), "2");
    const second = await rollback({ repo, app: "hello", to: 3 });
    assert.deepEqual([second.from, second.to, second.sequence], [2, 3, 5]);
    assert.equal(show(repo, "hello/sequence"), "5");
    const third = await rollback({ repo, app: "hello", to: 1 });
    assert.equal(third.to, 1);
    assert.match(gitSync(repo, ["log", "-1", "--format=%s", "main"]), /rollback to release 1/);
    // The next store never reuses a number, whatever current says.
    const [next] = await storeMany(repo, dir, 1);
    assert.equal(next, 4);
  });

  it("refuses a release that does not exist and a rollback with nothing earlier, changing nothing", async () => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    await storeMany(repo, dir, 1);
    const before = snapshot(repo);
    await assert.rejects(rollback({ repo, app: "hello" }), { code: "ERR_SKIFF_NOTHING_TO_ROLL_BACK" });
    await assert.rejects(rollback({ repo, app: "hello", to: 7 }), { code: "ERR_SKIFF_NO_SUCH_RELEASE" });
    await assert.rejects(rollback({ repo, app: "nope" }), { code: "ERR_SKIFF_NO_SUCH_APP" });
    assert.equal(snapshot(repo), before);
  });

  it("sets staging with setPointer and lists releases with current and staging marked", async () => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    await storeMany(repo, dir, 2);
    const change = await setPointer({
      repo,
      app: "hello",
      pointer: "staging",
      release: 1,
      message: "hello: stage 1",
    });
    assert.equal(change.changed, true);
    assert.equal(show(repo, "hello/staging"), "1");
    assert.equal(gitSync(repo, ["log", "-1", "--format=%s", "main"]), "hello: stage 1");
    const releases = await listReleases({ repo, app: "hello" });
    assert.deepEqual(
      releases.map((r) => [r.release, r.current, r.staging, r.target]),
      [
        [1, false, true, "unix"],
        [2, true, false, "unix"],
      ],
    );
    assert.match(releases[0]!.commit!, /^[0-9a-f]{40}$/);
    assert.deepEqual(await listReleases({ repo, app: "other" }), []);
  });

  it("--keep removes older release folders in the same commit, never current or the previous current", async () => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    await storeMany(repo, dir, 4);
    await rollback({ repo, app: "hello", to: 2 });
    const commitsBefore = Number(gitSync(repo, ["rev-list", "--count", "main"]));
    const [fifth] = await storeMany(repo, dir, 1, 1);
    assert.equal(fifth, 5);
    assert.deepEqual(folders(repo), [2, 5], "keeps the newest and the previous current (2)");
    assert.equal(Number(gitSync(repo, ["rev-list", "--count", "main"])), commitsBefore + 1);
    const [sixth] = await storeMany(repo, dir, 1, 2);
    assert.equal(sixth, 6);
    assert.deepEqual(folders(repo), [5, 6]);
    assert.equal(show(repo, "hello/current"), "6");
  });
});
