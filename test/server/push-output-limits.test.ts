import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { STEP_LOG_MAX_BYTES } from "../../src/build/step-log.js";
import { makeAppRepo } from "../support/app-repo.js";
import { serverBuilds } from "./push-client.js";
import { gitPush, serverSandbox } from "./server-harness.js";

const HUNDRED_MB = 100 * 1024 * 1024;

/** A /proc/PID/status field in kB, as bytes. */
function memoryOf(pid: number, field: "VmRSS" | "VmHWM"): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${field}:`));
  return Number(/(\d+)/.exec(line ?? "")?.[1]) * 1024;
}

describe("a build that prints 100 MB", () => {
  it("keeps the server's memory bounded, caps and rotates the log, and tells the pusher how much it left out", async () => {
    const sandbox = serverSandbox();
    const server = await sandbox.start();
    // 100-character lines (99 x and a newline), 100 MiB of them, then the artifact.
    const line = "x".repeat(99);
    const yml = `app: loud
build:
  command: yes ${line} | head -c ${HUNDRED_MB}; mkdir -p _build && echo built > _build/loud
  timeout: 5m
  matrix:
    - target: unix
      artifact: _build/loud
`;
    const dir = makeAppRepo(join(sandbox.root, "app"), { app: "loud", skiffYml: yml });
    const before = memoryOf(server.pid, "VmRSS");
    const push = await gitPush(dir, server.gitUrl("loud"));
    const peak = memoryOf(server.pid, "VmHWM");
    // No deploy: true entry, so no release; what matters is the build and what reached the pusher.
    assert.match(push.stderr, /build unix ok/, push.stderr.slice(-2000));
    assert.ok(
      peak - before < 64 * 1024 * 1024,
      `the server grew by ${((peak - before) / 1048576).toFixed(0)} MiB`,
    );
    assert.ok(push.stderr.length < 2 * 1024 * 1024, `the pusher got ${push.stderr.length} bytes`);
    const summary = /… (\d+) lines \((\d+) bytes\) of output not shown; full log: (\S+)/.exec(push.stderr);
    assert.ok(summary, push.stderr.slice(-2000));
    const [, lines, bytes, logPath] = summary;
    assert.ok(Number(bytes) > 0.9 * HUNDRED_MB, `summary says ${bytes} bytes`);
    assert.ok(Number(lines) > 0.9 * (HUNDRED_MB / 100));
    const [build] = serverBuilds(server.data, "loud");
    const step = build?.logs.find((log) => log.step === "build");
    assert.equal(step?.path, logPath);
    assert.equal(step?.outputBytes, HUNDRED_MB);
    assert.ok(statSync(logPath!).size <= STEP_LOG_MAX_BYTES + 200);
    assert.ok(statSync(`${logPath!}.1`).size <= STEP_LOG_MAX_BYTES);
    assert.match(readFileSync(logPath!, "utf8").slice(0, 200), /the log was rotated/);
  });
});
