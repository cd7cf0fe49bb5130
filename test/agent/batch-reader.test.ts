import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
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

/** Pids of this process's `git cat-file --batch-command` children. */
function catFilePids(): string[] {
  return execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.includes("cat-file --batch-command"))
    .map((line) => line.trim().split(/\s+/)[0]!);
}

test("a session prepared before a fetch is the one renew hands over, and it reads what the fetch wrote", async () => {
  const source = tempDir("skiff-batch-src-");
  gitSync(source, ["init", "--quiet", "--initial-branch=main"]);
  writeFileSync(join(source, "current"), "1\n");
  const first = commitAll(source, "one");
  const mirror = tempDir("skiff-batch-mirror-");
  gitSync(mirror, ["init", "--quiet", "--bare"]);
  const fetch = (): string =>
    gitSync(mirror, [
      "fetch",
      "--quiet",
      "--no-auto-maintenance",
      source,
      "+refs/heads/main:refs/heads/main",
    ]);
  fetch();
  const batch = createBatchReader(mirror);
  try {
    assert.equal(await batch.resolveCommit("refs/heads/main"), first);
    // Loose objects (a few) and a kept pack (more than fetch.unpackLimit's 100): both are read.
    for (const [files, name] of [
      [3, "loose"],
      [150, "packed"],
    ] as const) {
      batch.prepareRenew();
      const prepared = catFilePids();
      assert.equal(prepared.length, 2, "the reading session and the prepared one");
      for (let i = 0; i < files; i++) writeFileSync(join(source, `${name}-${i}`), `${name} ${i}\n`);
      writeFileSync(join(source, "current"), `${name}\n`);
      const next = commitAll(source, name);
      fetch();
      batch.renew();
      assert.equal(await batch.resolveCommit("refs/heads/main"), next, name);
      assert.equal(await batch.readFileAt(next, "current"), `${name}\n`);
      assert.equal(await batch.readFileAt(next, `${name}-${files - 1}`), `${name} ${files - 1}\n`);
      const reading = catFilePids();
      assert.equal(reading.length, 1, name);
      assert.ok(prepared.includes(reading[0]!), `${name}: the prepared session answers, no new one started`);
    }
  } finally {
    batch.close();
  }
});
