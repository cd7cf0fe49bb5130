#!/usr/bin/env node
// Runs every compiled test file under dist/test with node:test. Usage: node scripts/run-tests.mjs [filter...]
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "support" || name === "fixtures" ? [] : find(path);
    return name.endsWith(".test.js") ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = find("dist/test")
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [
    "--test",
    "--test-reporter=spec",
    `--test-concurrency=${process.env.SKIFF_TEST_CONCURRENCY ?? 2}`,
    // Fails a test file that leaves a process running or a temp file behind (test/support/leak-guard.ts).
    `--import=${pathToFileURL(resolve("dist/test/support/leak-guard.js")).href}`,
    ...files,
  ],
  { stdio: "inherit", env: { ...process.env, SKIFF_LOG_LEVEL: process.env.SKIFF_LOG_LEVEL ?? "silent" } },
);
process.exit(result.status ?? 1);
