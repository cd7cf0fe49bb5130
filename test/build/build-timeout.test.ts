import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runBuild } from "../../src/build/index.js";
import { makeAppRepo } from "../support/app-repo.js";
import { waitForProcesses } from "../support/processes.js";
import { tempDir } from "../support/temp.js";
import { rejectsWithSkiffError } from "./support.js";

/** A one-entry skiff.yml whose processes carry PROBE=<mark> in their environment (visible in /proc). */
function probeYml(command: string, timeout: string, mark: string): string {
  return `app: probe
build:
  command: ${JSON.stringify(command)}
  timeout: ${timeout}
  matrix:
    - target: unix
      env: { PROBE: "${mark}" }
      artifact: _build/out
      deploy: true
`;
}

describe("build timeout", () => {
  it("kills a step that runs too long with every process it started, a setsid daemon too", async () => {
    const mark = randomBytes(6).toString("hex");
    const command = "setsid sh -c 'sleep 1000' & sleep 1000";
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: probeYml(command, "3s", mark) });
    const building = rejectsWithSkiffError(runBuild({ repo }));
    // The daemon runs while the step does: what the timeout must end.
    await waitForProcesses(`PROBE=${mark}`, "present", 20_000);
    const error = await building;
    assert.equal(error.code, "ERR_SKIFF_BUILD_TIMEOUT");
    assert.deepEqual([error.data?.target, error.data?.step], ["unix", "build"]);
    await waitForProcesses(`PROBE=${mark}`, "gone", 2000);
  });

  it("ends a successful step that leaves a daemon holding its output open, and the daemon with it", async () => {
    const mark = randomBytes(6).toString("hex");
    const command = "setsid sh -c 'sleep 1000' & mkdir -p _build && echo built > _build/out";
    const repo = makeAppRepo(join(tempDir(), "app"), { skiffYml: probeYml(command, "5m", mark) });
    const summary = await runBuild({ repo });
    assert.equal(summary.status, "succeeded");
    await waitForProcesses(`PROBE=${mark}`, "gone", 2000);
  });
});
