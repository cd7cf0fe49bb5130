import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { runBuild } from "../../src/build/index.js";
import { processStartTime } from "../../src/process/index.js";
import { makeAppRepo } from "../support/app-repo.js";
import { tempDir } from "../support/temp.js";
import { matrixYml, rejectsWithSkiffError } from "./support.js";

/** True once the pid is gone (a zombie nobody reaped counts as gone). */
async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (processStartTime(pid) === undefined) return true;
    await sleep(50);
  }
  return processStartTime(pid) === undefined;
}

describe("build timeout", () => {
  it("kills the whole process group of a step that runs too long", async () => {
    const pidFile = join(tempDir(), "child.pid");
    // The background sleep is a child of the step's shell: the timeout must kill it too.
    const command = `sleep 300 & echo $! > ${pidFile}; wait`;
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: matrixYml({ command, timeout: "1s" }) });
    const started = Date.now();
    const error = await rejectsWithSkiffError(runBuild({ repo }));
    assert.equal(error.code, "ERR_SKIFF_BUILD_TIMEOUT");
    assert.deepEqual([error.data?.target, error.data?.step], ["unix", "build"]);
    assert.ok(Date.now() - started < 30_000);
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    assert.ok(pid > 0);
    assert.equal(await waitGone(pid, 5000), true, `background child ${pid} still runs`);
  });

  it("kills what a successful step left running, even when it holds the output open", async () => {
    const pidFile = join(tempDir(), "daemon.pid");
    // A daemon that keeps the step's stdout open: without the group kill the step would never end.
    const command = `sleep 300 & echo $! >> ${pidFile}; mkdir -p _build && echo built > _build/out`;
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: matrixYml({ command, timeout: "20s" }) });
    const started = Date.now();
    const summary = await runBuild({ repo });
    assert.equal(summary.status, "succeeded");
    assert.ok(Date.now() - started < 15_000, "the step ended when its shell exited");
    const pids = readFileSync(pidFile, "utf8").trim().split("\n").map(Number);
    assert.equal(pids.length, 2, "one daemon per matrix entry");
    for (const pid of pids)
      assert.equal(await waitGone(pid, 5000), true, `background child ${pid} still runs`);
  });
});
