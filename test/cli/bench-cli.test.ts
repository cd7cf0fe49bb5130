import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../support/paths.js";

/** CI smoke of `npm run bench:cli`: it runs and prints its figures. Timing is the benchmark's business. */
test("bench:cli prints p50 and p90 of --help, status and bare node, and says why remote apps was skipped", async () => {
  const env = { ...process.env };
  delete env.SKIFF_URL;
  const child = spawn(process.execPath, [join(REPO_ROOT, "dist", "bench", "cli-start.js"), "--runs", "2"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on("close", done));
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^CLI start, 2 runs each, alternating \(node v\d+/);
  for (const name of ["node -e 0", "skiff --help", "skiff status --data D"])
    assert.match(stdout, new RegExp(`^${name} +\\d+ ms +\\d+ ms `, "m"), `${name} in:\n${stdout}`);
  assert.match(stdout, /^skiff --help +\d+ ms +\d+ ms +p50 <= 150 ms: (met|missed)$/m);
  assert.match(stdout, /^skiff apps \(remote\) +skipped: set SKIFF_URL/m);
});
