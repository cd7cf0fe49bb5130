import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../support/paths.js";

/** CI smoke of `npm run bench:cli`: it runs and prints its figures. Timing is the benchmark's business. */
test("bench:cli prints p50 and p90 of bare node, --help and status (and both without the bundle) and remote apps (against a server it starts and stops), with the goals", async () => {
  const env = { ...process.env };
  delete env.SKIFF_URL;
  const child = spawn(process.execPath, [join(REPO_ROOT, "dist", "bench", "cli-start.js"), "--runs", "5"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on("close", done));
  assert.equal(code, 0, stderr);
  assert.match(
    stdout,
    /^CLI start, 5 runs each, alternating \(node v\d+.*; load average [\d.]+ → [\d.]+ on \d+ CPUs\)$/m,
  );
  for (const name of [
    "node -e 0",
    "skiff --help",
    "skiff status --data D",
    "--help, unbundled",
    "status, unbundled",
    "skiff apps \\(remote\\)",
  ])
    assert.match(stdout, new RegExp(`^${name} +\\d+ ms +\\d+ ms( |$)`, "m"), `${name} in:\n${stdout}`);
  for (const name of ["skiff --help", "skiff status --data D"])
    assert.match(stdout, new RegExp(`^${name} +\\d+ ms +\\d+ ms +goal p50 ≤ 150 ms: (met|missed)$`, "m"));
});
