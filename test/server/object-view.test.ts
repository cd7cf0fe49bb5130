import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createObjectView } from "../../src/git/index.js";
import { commitAll, gitSync } from "../support/app-repo.js";
import { tempDir } from "../support/temp.js";
import { writeFileSync } from "node:fs";

describe("the object view a push is built from", () => {
  it("is a bare repository that reads objects from other stores, with main at the commit and the origin recorded", async () => {
    const dir = tempDir();
    const work = join(dir, "work");
    gitSync(dir, ["init", "-q", "-b", "main", work]);
    writeFileSync(join(work, "skiff.yml"), "app: hello\n");
    const commit = commitAll(work, "first");
    const view = join(dir, "view.git");
    const origin = 'http://127.0.0.1:7070/hello.git?"quoted\\';
    // Objects only in the work tree's store: the view sees them through alternates, like a quarantine.
    await createObjectView({ objectDirs: [join(work, ".git", "objects")], commit, dest: view, origin });
    assert.equal(gitSync(view, ["rev-parse", "--is-bare-repository"]).trim(), "true");
    assert.equal(gitSync(view, ["rev-parse", "refs/heads/main"]).trim(), commit);
    assert.equal(gitSync(view, ["symbolic-ref", "HEAD"]).trim(), "refs/heads/main");
    assert.equal(gitSync(view, ["config", "--get", "remote.origin.url"]).trim(), origin);
    assert.equal(gitSync(view, ["cat-file", "blob", "main:skiff.yml"]).trim(), "app: hello");
    const clone = join(dir, "clone");
    gitSync(dir, ["clone", "-q", "--shared", view, clone]);
    assert.equal(gitSync(clone, ["rev-parse", "HEAD"]).trim(), commit);
  });
});
