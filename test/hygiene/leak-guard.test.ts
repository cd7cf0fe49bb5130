import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isSameProcess } from "../../src/process/index.js";
import { FIXTURES, REPO_ROOT } from "../support/paths.js";
import { GUARD_ENV } from "../support/leak-guard.js";
import { tempDir } from "../support/temp.js";

const GUARD = join(REPO_ROOT, "dist", "test", "support", "leak-guard.js");

/** Runs one fixture test file the way scripts/run-tests.mjs runs ours: node --test with the guard imported. */
function runGuarded(fixture: string, env: NodeJS.ProcessEnv = {}): { code: number | null; output: string } {
  // Without NODE_TEST_CONTEXT, which would make the inner node --test think it runs inside ours and skip the file.
  const { NODE_TEST_CONTEXT: _, ...outer } = process.env;
  const run = spawnSync(
    process.execPath,
    ["--test", "--test-reporter=spec", `--import=${GUARD}`, join(FIXTURES, "hygiene", fixture)],
    { encoding: "utf8", env: { ...outer, ...env }, timeout: 60_000 },
  );
  return { code: run.status, output: run.stdout + run.stderr };
}

test("a test file that leaves processes running fails, names them, and they are killed", () => {
  const pidsFile = join(tempDir(), "pids.json");
  const run = runGuarded("leaks-processes.test.mjs", { LEAK_PIDS_FILE: pidsFile });
  assert.equal(run.code, 1, run.output);
  const pids = JSON.parse(readFileSync(pidsFile, "utf8")) as number[];
  assert.equal(pids.length, 2);
  for (const pid of pids) {
    // The fresh-env child is found by its cwd in the file's temp dir, the other by the inherited marker.
    assert.match(run.output, new RegExp(`process ${pid} still running`));
    assert.equal(isSameProcess(pid, undefined), false, `leaked process ${pid} is still alive`);
  }
});

test("a test file that leaves a temp dir behind fails and names it", () => {
  const run = runGuarded("leaks-temp.test.mjs");
  assert.equal(run.code, 1, run.output);
  assert.match(run.output, /temp files not removed: forgotten-\w{6}/);
});

test("a test file that stops its processes and removes its temp files passes", () => {
  const run = runGuarded("clean.test.mjs");
  assert.equal(run.code, 0, run.output);
  assert.doesNotMatch(run.output, /leak guard/);
});

test("this suite itself runs under the guard (scripts/run-tests.mjs imports it)", () => {
  assert.ok(process.env[GUARD_ENV], "run the tests with node scripts/run-tests.mjs (npm test)");
});
