import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readBuild, readLatestBuild, runBuild, type BuildOutput } from "../../src/build/index.js";
import { commitAll, gitSync, makeAppRepo } from "../support/app-repo.js";
import { tempDir } from "../support/temp.js";
import { matrixYml, rejectsWithSkiffError, sha256, sha256Of } from "./support.js";

const TWIN_COMMAND = 'test ! -e _build/out && mkdir -p _build && echo "$TARGET $MODE" > _build/out';

describe("runBuild", () => {
  it("builds a fixture app and collects its artifact with the right sha256 and mode", async () => {
    const repo = makeAppRepo(join(tempDir(), "app"), { version: "v7" });
    const committed = readFileSync(join(repo, "server.mjs"));
    const summary = await runBuild({ repo });
    assert.equal(summary.status, "succeeded");
    assert.equal(summary.app, "hello");
    assert.equal(summary.branch, "main");
    const [target] = summary.targets;
    assert.deepEqual(
      target?.steps.map((s) => [s.step, s.exitCode]),
      [
        ["build", 0],
        ["test", 0],
      ],
    );
    const artifact = target?.artifacts[0];
    assert.ok(artifact);
    assert.equal(artifact.name, "hello");
    assert.equal(artifact.path, join(summary.dir, "artifacts", "unix", "hello"));
    assert.equal(artifact.sha256, sha256(committed));
    assert.equal(sha256Of(artifact.path), sha256(committed));
    assert.equal(artifact.size, committed.length);
    assert.equal(statSync(artifact.path).mode & 0o777, 0o755);
    assert.equal(readFileSync(join(repo, ".skiff", "builds", "latest"), "utf8").trim(), summary.buildId);
    assert.deepEqual(readLatestBuild(repo), summary);
    assert.deepEqual(readBuild(summary.dir), summary);
  });

  it("builds the committed HEAD, not uncommitted changes in the work tree", async () => {
    const repo = makeAppRepo(join(tempDir(), "app"), { version: "v1" });
    const committed = readFileSync(join(repo, "server.mjs"));
    writeFileSync(join(repo, "server.mjs"), "dirty, never committed\n");
    writeFileSync(join(repo, "untracked.txt"), "untracked\n");
    const summary = await runBuild({ repo });
    assert.equal(summary.targets[0]?.artifacts[0]?.sha256, sha256(committed));
  });

  it("exports TARGET and each entry's env, in a fresh checkout per entry", async () => {
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: matrixYml({ command: TWIN_COMMAND }) });
    const lines: BuildOutput[] = [];
    const summary = await runBuild({ repo, onOutput: (line) => lines.push(line) });
    const contents = summary.targets.map((t) => [
      t.target,
      readFileSync(t.artifacts[0]!.path, "utf8").trim(),
    ]);
    assert.deepEqual(contents, [
      ["unix", "unix native"],
      ["virtio", "virtio virt"],
    ]);
    assert.equal(existsSync(join(summary.dir, "artifacts", "virtio", "out")), true);
  });

  it("streams output line by line with target and step, and keeps it in a per-step log", async () => {
    const yml = matrixYml({
      command: "mkdir -p _build && echo one && echo two && touch _build/out",
      test: "echo t-$TARGET >&2",
    });
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: yml });
    const lines: BuildOutput[] = [];
    const summary = await runBuild({ repo, onOutput: (line) => lines.push(line) });
    assert.deepEqual(
      lines.map((l) => [l.target, l.step, l.line]),
      [
        ["unix", "build", "one"],
        ["unix", "build", "two"],
        ["unix", "test", "t-unix"],
        ["virtio", "build", "one"],
        ["virtio", "build", "two"],
        ["virtio", "test", "t-virtio"],
      ],
    );
    assert.deepEqual(
      lines.filter((l) => l.step === "test").map((l) => l.stream),
      ["stderr", "stderr"],
    );
    const testStep = summary.targets[1]?.steps[1];
    assert.equal(readFileSync(testStep!.logPath, "utf8"), "t-virtio\n");
  });

  it("runs only the entry named by target", async () => {
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: matrixYml({ command: TWIN_COMMAND }) });
    const summary = await runBuild({ repo, target: "virtio" });
    assert.deepEqual(
      summary.targets.map((t) => t.target),
      ["virtio"],
    );
    assert.deepEqual(readdirSync(join(summary.dir, "artifacts")), ["virtio"]);
  });

  it("refuses an unknown target and names the known ones", async () => {
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: matrixYml({ command: TWIN_COMMAND }) });
    const error = await rejectsWithSkiffError(runBuild({ repo, target: "xen" }));
    assert.equal(error.code, "ERR_SKIFF_UNKNOWN_TARGET");
    assert.deepEqual(error.data?.known, ["unix", "virtio"]);
    assert.match(error.hint ?? "", /unix, virtio/);
  });

  it("stops at a failing test with ERR_SKIFF_TEST_FAILED naming the target, and does not move latest", async () => {
    const yml = matrixYml({
      command: TWIN_COMMAND,
      test: "echo checking $TARGET; test $TARGET = unix || exit 3",
    });
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: yml });
    const first = await runBuild({ repo, target: "unix" });
    const error = await rejectsWithSkiffError(runBuild({ repo }));
    assert.equal(error.code, "ERR_SKIFF_TEST_FAILED");
    assert.equal(error.data?.target, "virtio");
    assert.equal(error.data?.step, "test");
    assert.equal(error.data?.exitCode, 3);
    assert.match(error.message, /virtio/);
    assert.match(error.hint ?? "", /checking virtio/);
    assert.equal(readLatestBuild(repo).buildId, first.buildId);
    const failed = readBuild(join(repo, ".skiff", "builds", String(error.data?.buildId)));
    assert.equal(failed.status, "failed");
    assert.equal(failed.error?.code, "ERR_SKIFF_TEST_FAILED");
  });

  it("stops at a failing build command with ERR_SKIFF_BUILD_FAILED and never runs its test", async () => {
    const yml = matrixYml({ command: "echo boom; exit 2", test: "echo the test ran" });
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: yml });
    const steps: string[] = [];
    const error = await rejectsWithSkiffError(
      runBuild({ repo, onStep: (event) => steps.push(`${event.phase} ${event.step}`) }),
    );
    assert.equal(error.code, "ERR_SKIFF_BUILD_FAILED");
    assert.deepEqual([error.data?.target, error.data?.step, error.data?.exitCode], ["unix", "build", 2]);
    assert.deepEqual(steps, ["start build", "end build"]);
  });

  it("removes every checkout after the build, also when it fails", async () => {
    const scratch = tempDir();
    const yml = matrixYml({ command: "pwd; mkdir -p _build && touch _build/out && test $TARGET = unix" });
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: yml });
    const lines: string[] = [];
    await rejectsWithSkiffError(
      runBuild({ repo, tempDir: scratch, onOutput: ({ line }) => lines.push(line) }),
    );
    const checkouts = lines.filter((line) => line.startsWith(scratch));
    assert.equal(checkouts.length, 2, lines.join("\n"));
    assert.notEqual(checkouts[0], checkouts[1]);
    assert.deepEqual(readdirSync(scratch), []);
  });

  it("removes what a build killed with its process left in the temp dir, at the next build", async () => {
    const scratch = tempDir();
    const dead = spawnSync("true").pid;
    const left = join(scratch, `skiff-build-${dead}-AbC123`, "checkout-0");
    mkdirSync(left, { recursive: true });
    writeFileSync(join(left, "big"), "x".repeat(1000));
    const alive = join(scratch, `skiff-build-${process.ppid}-DeF456`);
    mkdirSync(alive);
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: matrixYml({ command: TWIN_COMMAND }) });
    await runBuild({ repo, tempDir: scratch });
    assert.deepEqual(readdirSync(scratch), [`skiff-build-${process.ppid}-DeF456`]);
  });

  it("keeps the newest build folders and the latest successful one when asked to", async () => {
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: matrixYml({ command: TWIN_COMMAND }) });
    const good = await runBuild({ repo, keepBuilds: 1 });
    writeFileSync(join(repo, "skiff.yml"), matrixYml({ command: "exit 3" }));
    commitAll(repo, "failing build");
    const failed = (await rejectsWithSkiffError(runBuild({ repo, keepBuilds: 1 }))).data?.buildId;
    const last = (await rejectsWithSkiffError(runBuild({ repo, keepBuilds: 1 }))).data?.buildId;
    const kept = readdirSync(join(repo, ".skiff", "builds")).filter((name) => name !== "latest");
    // The build cache (SKIFF_CACHE_DIR) is kept whatever the pruning.
    assert.deepEqual(kept.sort(), [good.buildId, String(last), "cache"].sort());
    assert.notEqual(failed, last);
  });

  it("reports a missing artifact naming target and path", async () => {
    const yml = matrixYml({ command: "mkdir -p _build && test $TARGET = unix && touch _build/out || true" });
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: yml });
    const error = await rejectsWithSkiffError(runBuild({ repo }));
    assert.equal(error.code, "ERR_SKIFF_ARTIFACT_MISSING");
    assert.deepEqual([error.data?.target, error.data?.path], ["virtio", "_build/out"]);
  });

  it("refuses an artifact path outside the checkout", async () => {
    const yml = matrixYml({ command: "true" }).replace("artifact: _build/out", "artifact: ../../etc/passwd");
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: yml });
    const error = await rejectsWithSkiffError(runBuild({ repo, target: "unix" }));
    assert.equal(error.code, "ERR_SKIFF_PATH_ESCAPE");
  });

  it("says to run skiff build first when there is no build", async () => {
    const repo = makeAppRepo(join(tempDir(), "app"));
    const error = await rejectsWithSkiffError(Promise.resolve().then(() => readLatestBuild(repo)));
    assert.equal(error.code, "ERR_SKIFF_NO_BUILD");
    assert.equal(error.hint, "run skiff build first");
  });

  it("builds a given commit of a bare repository", async () => {
    const root = tempDir();
    const work = makeAppRepo(join(root, "app"), { version: "v1" });
    const v1 = readFileSync(join(work, "server.mjs"));
    const first = commitAll(work, "same tree, second commit");
    writeFileSync(join(work, "server.mjs"), v1.toString().replace("v1", "v2"));
    commitAll(work, "v2");
    const bare = join(root, "app.git");
    gitSync(root, ["clone", "--quiet", "--bare", work, bare]);
    const outDir = join(root, "builds");
    const old = await runBuild({ repo: bare, commit: first, outDir });
    assert.equal(old.commit, first);
    assert.equal(old.targets[0]?.artifacts[0]?.sha256, sha256(v1));
    const head = await runBuild({ repo: bare, outDir });
    assert.match(readFileSync(head.targets[0]!.artifacts[0]!.path, "utf8"), /"v2"/);
    assert.equal(readFileSync(join(outDir, "latest"), "utf8").trim(), head.buildId);
  });

  it("records the artifact as the test step left it, even when the test step rewrote it", async () => {
    const repo = join(tempDir(), "app");
    gitSync(tempDir(), ["init", "-q", "-b", "main", repo]);
    // The build writes one content; the test replaces it (same size) after the early hash had time to run.
    const yml = matrixYml({
      command: "mkdir -p _build && printf built > _build/out",
      test: "sleep 0.3 && printf later > _build/out",
    });
    writeFileSync(join(repo, "skiff.yml"), yml);
    commitAll(repo, "rewriting test");
    const summary = await runBuild({ repo, target: "unix" });
    const artifact = summary.targets[0]?.artifacts[0];
    assert.equal(readFileSync(artifact!.path, "utf8"), "later");
    assert.equal(artifact?.sha256, sha256("later"));
  });
});
