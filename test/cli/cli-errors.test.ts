import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { cpSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT, SKIFF_BIN } from "../support/paths.js";
import { runSkiff } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";

const STACK_LINE = /^\s+at /m;

/** A copy of the installed CLI (bin, its bundle, package.json; node_modules linked) that a test may break. */
function copyCli(): string {
  const root = tempDir("skiff-cli-copy-");
  cpSync(join(REPO_ROOT, "bin"), join(root, "bin"), { recursive: true });
  cpSync(join(REPO_ROOT, "dist", "bundle"), join(root, "dist", "bundle"), { recursive: true });
  cpSync(join(REPO_ROOT, "package.json"), join(root, "package.json"));
  symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"));
  return root;
}

test("a known error prints its code and hint without a stack, and exits 1", async () => {
  const run = await runSkiff(["logs", "hello", "--data", tempDir(), "-n", "many"]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^error ERR_SKIFF_USAGE: -n wants a whole number, not "many"\nhint: /);
  assert.doesNotMatch(run.stderr, STACK_LINE);
  assert.doesNotMatch(run.stderr, /bug/);
});

test("a part that fails to load when its command runs is reported as a bug with its stack, and exits 70", async () => {
  const root = copyCli();
  // The chunk of the status command's action (src/cli/actions/status.ts), loaded only when it runs.
  const chunks = join(root, "dist", "bundle", "chunks");
  const [status] = readdirSync(chunks).filter((name) => /^status-\w+\.js$/.test(name));
  assert.ok(status, "no chunk for the status action in the bundle");
  rmSync(join(chunks, status));
  const data = tempDir();
  writeFileSync(join(data, "state.json"), JSON.stringify({ version: 1, apps: {} }));
  const bin = join(root, "bin", "skiff.js");

  const help = await runSkiff(["status", "--help"], { bin });
  assert.equal(help.code, 0, "help does not need the agent");

  const run = await runSkiff(["status", "--data", data], { bin });
  assert.equal(run.code, 70, run.stderr);
  assert.match(run.stderr, /^error ERR_SKIFF_INTERNAL: this is a bug in skiff, please report it\n/);
  assert.match(run.stderr, new RegExp(`Cannot find module '.*chunks/${status}'`));
  assert.match(run.stderr, STACK_LINE);
});

test("a reader that closes the pipe before the output ends (skiff --help | head -1) ends the output, not the command", async () => {
  const child = spawn(process.execPath, [SKIFF_BIN, "--help"], { stdio: ["ignore", "pipe", "pipe"] });
  // Closed before the first write: every write of the command meets EPIPE.
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, "close")) as [number | null];
  assert.equal(stderr, "");
  assert.equal(code, 0);
});
