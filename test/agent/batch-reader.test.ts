import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createBatchReader, createProcessReader } from "../../src/git/index.js";
import { commitAll, gitSync } from "../support/app-repo.js";
import { tempDir } from "../support/temp.js";

/** A repository with nested folders, an executable, a symlink, an empty file and a 300 kB file. */
function makeRepo(): { dir: string; commit: string } {
  const dir = tempDir("skiff-batch-");
  gitSync(dir, ["init", "--quiet", "--initial-branch=main"]);
  mkdirSync(join(dir, "hello", "releases", "10"), { recursive: true });
  mkdirSync(join(dir, "hello", "releases", "9"), { recursive: true });
  writeFileSync(join(dir, "hello", "current"), "10\n");
  writeFileSync(join(dir, "hello", "releases", "10", "manifest.json"), "{}\n");
  writeFileSync(join(dir, "hello", "releases", "9", "big"), Buffer.alloc(300_000, 7));
  writeFileSync(join(dir, "hello", "releases", "9", "empty"), "");
  writeFileSync(join(dir, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
  symlinkSync("hello/current", join(dir, "link"));
  return { dir, commit: commitAll(dir, "layout") };
}

test("the batch reader lists and reads as ls-tree and cat-file do", async () => {
  const { dir, commit } = makeRepo();
  const batch = createBatchReader(dir);
  const plain = createProcessReader(dir);
  try {
    const paths = [undefined, "hello/", "hello", "hello/releases/9/", "hello/current", "hello/current/"];
    for (const path of [...paths, "link", "nope", "hello/nope/x", "run.sh"]) {
      assert.deepEqual(await batch.listTree(commit, path), await plain.listTree(commit, path), String(path));
      // Read twice: the second answer comes from what was kept for this commit, and is the same.
      assert.deepEqual(await batch.listTree(commit, path), await plain.listTree(commit, path), String(path));
    }
    assert.deepEqual(await batch.listTree("main", "hello"), await plain.listTree("main", "hello"));
    for (const path of ["hello/current", "link", "hello", "nope", "hello/releases/9/empty"])
      assert.equal(await batch.readFileAt(commit, path), await plain.readFileAt(commit, path), path);
    const big = (await batch.listTree(commit, "hello/releases/9/big"))[0]!;
    await assert.rejects(batch.readBlobBytes(big.object, 299_999), { code: "ERR_SKIFF_SIZE_MISMATCH" });
    assert.equal((await batch.readBlobBytes(big.object, 300_000)).length, 300_000);
  } finally {
    batch.close();
  }
});

test("a blob stream read to its end or given up leaves the session answering the next read", async () => {
  const { dir, commit } = makeRepo();
  const batch = createBatchReader(dir);
  try {
    const big = (await batch.listTree(commit, "hello/releases/9/big"))[0]!;
    const whole = batch.openBlobStream(big.object);
    let size = 0;
    // Slow reader: git's answer waits on it (backpressure), then the session goes on.
    for await (const chunk of whole.stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await whole.done;
    assert.equal(size, 300_000);
    const dropped = batch.openBlobStream(big.object);
    const droppedDone = dropped.done.catch((error: Error) => error);
    dropped.cancel();
    assert.ok((await droppedDone) instanceof Error, "a cancelled stream's done rejects");
    assert.equal(await batch.readFileAt(commit, "hello/current"), "10\n");
    const missing = batch.openBlobStream("0".repeat(40));
    await assert.rejects(missing.done, { code: "ERR_SKIFF_GIT" });
    let read = 0;
    for await (const chunk of missing.stream as AsyncIterable<Buffer>) read += chunk.length;
    assert.equal(read, 0, "the stream of a missing object ends too");
    assert.equal(await batch.readFileAt(commit, "hello/current"), "10\n");
  } finally {
    batch.close();
  }
});
