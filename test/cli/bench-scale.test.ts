import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../support/paths.js";
import { requireTier } from "../support/tiers.js";

/** CI smoke of `npm run bench:scale`, small: it runs every part and prints its figures. Timing is the benchmark's business. */
test("bench:scale, small, prints cold starts (unix and qemu) beside the instance's own start, the burst, density, the door's cost and independence", async (t) => {
  const args = [
    "--wakes",
    "3",
    "--qemu-wakes",
    "1",
    "--burst",
    "4",
    "--asleep",
    "2",
    "--on",
    "1",
    "--samples",
    "2",
    "--apps",
    "4",
    "--deploys",
    "2",
    "--rounds",
    "1",
    "--seconds",
    "1",
  ];
  const child = spawn(process.execPath, [join(REPO_ROOT, "dist", "bench", "scale.js"), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on("close", done));
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^ {2}first SYN to first byte +p50 [\d.]+ ms +p99 [\d.]+ ms$/m);
  assert.match(stdout, /^ {2}instance's own start +p50 [\d.]+ ms/m);
  assert.match(stdout, /^ {2}lost +0 of 3 \(goal 0\)$/m);
  assert.match(stdout, /^ {2}burst of 4 from zero +4 answered/m);
  const qemu =
    /^cold start through the front door \(qemu, TCG\)(?:, 1 wakes from zero:|: not measured: (.+))$/m.exec(
      stdout,
    );
  assert.ok(qemu, "a qemu cold-start line");
  // Not measured (no qemu or image): fails where the qemu tier is required (CI), a note elsewhere.
  requireTier(t, "qemu", qemu[1]);
  assert.match(stdout, /^ {2}RSS: front door \(with HAProxy\) [\d.]+ MiB \+ agent [\d.]+ MiB = [\d.]+ MiB/m);
  assert.match(
    stdout,
    /^ {2}together(, each page once: [\d.]+ MiB, highest sample [\d.]+ MiB \(goal ≤ 150\)|: not measured .+)$/m,
  );
  assert.match(stdout, /^density: .+\(medians of 2 samples/m);
  assert.match(stdout, /haproxy: hostname/);
  assert.match(stdout, /^independence: 4 apps, .+\(medians of 2 deploys\)$/m);
  assert.match(stdout, /^ {2}third app's deploy +idle host [\d.]+ ms +busy host [\d.]+ ms/m);
});
