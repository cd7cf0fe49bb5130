import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { makeAppRepo } from "../support/app-repo.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";
import { matrixYml, sha256Of } from "./support.js";

interface JsonSummary {
  buildId: string;
  status: string;
  targets: {
    target: string;
    steps: { step: string; durationMs: number; exitCode: number }[];
    artifacts: { name: string; path: string; sha256: string }[];
  }[];
}

describe("skiff build", () => {
  it("prints a machine summary with --json", async () => {
    const repo = makeAppRepo(join(tempDir(), "app"));
    const run = await skiffOk(["build", "--json"], { cwd: repo });
    const summary = JSON.parse(run.stdout) as JsonSummary;
    assert.equal(summary.status, "succeeded");
    const [target] = summary.targets;
    assert.equal(target?.target, "unix");
    assert.deepEqual(
      target?.steps.map((s) => s.step),
      ["build", "test"],
    );
    assert.ok(target?.steps.every((s) => typeof s.durationMs === "number"));
    const artifact = target?.artifacts[0];
    assert.equal(artifact?.sha256, sha256Of(join(repo, "server.mjs")));
    assert.equal(sha256Of(artifact.path), artifact.sha256);
    assert.equal(readFileSync(join(repo, ".skiff", "builds", "latest"), "utf8").trim(), summary.buildId);
  });

  it("builds one target of the repository named by --dir", async () => {
    const command = 'mkdir -p _build && echo "$TARGET $MODE" > _build/out';
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: matrixYml({ command }) });
    const run = await skiffOk(["build", "--dir", repo, "--target", "virtio", "--json"], { cwd: tempDir() });
    const summary = JSON.parse(run.stdout) as JsonSummary;
    assert.deepEqual(
      summary.targets.map((t) => t.target),
      ["virtio"],
    );
    assert.equal(readFileSync(summary.targets[0]!.artifacts[0]!.path, "utf8"), "virtio virt\n");
  });

  it("prints a failure as a code and a hint, without a stack, and exits 1", async () => {
    const repo = makeAppRepo(join(tempDir(), "app"), {
      skiffYml: matrixYml({ command: "echo nope >&2; exit 1" }),
    });
    const run = await runSkiff(["build", "--json"], { cwd: repo });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /^error ERR_SKIFF_BUILD_FAILED: target unix: build step failed/m);
    // The output was printed as the step ran; the hint does not print it again.
    assert.match(run.stderr, /^ {4}nope$/m);
    assert.doesNotMatch(run.stderr, /^ {2}nope$/m);
    assert.match(run.stderr, /^hint: full log: \S+build\.log$/m);
    assert.doesNotMatch(run.stderr, /^\s+at /m);
  });
});
