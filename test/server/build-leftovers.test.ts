import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { commitAll } from "../support/app-repo.js";
import { commandOf, processesWithEnv, waitForProcesses } from "../support/processes.js";
import { quarantinesIn, startPush } from "./push-client.js";
import { makeServedApp, serverSandbox } from "./server-harness.js";

/** A build that leaves a compiler-like temp file in its TMPDIR, then runs for ten minutes. */
function sleepingBuild(app: string, mark: string): string {
  return `app: ${app}
build:
  command: mktemp "\${TMPDIR:-/tmp}/ccXXXXXX.s" && sleep 600
  timeout: 20m
  matrix:
    - target: unix
      env: { PROBE: "${mark}" }
      artifact: server.mjs
      deploy: true
`;
}

/** SIGKILL to processes this test started (found by a mark of its own), stopped ones included. */
function killOurs(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}

describe("leftovers of builds and pushes cut short", () => {
  it("an unsandboxed build's temp files stay out of the server's TMPDIR and go at its next start", async () => {
    const sandbox = serverSandbox();
    const serverTmp = join(sandbox.root, "server-tmp");
    mkdirSync(serverTmp);
    // Where bubblewrap cannot run, the build gets the server's environment but a TMPDIR of its own.
    const server = await sandbox.start([], { SKIFF_BWRAP: "/nonexistent/bwrap", TMPDIR: serverTmp });
    const mark = randomBytes(6).toString("hex");
    after(() => killOurs(processesWithEnv(`PROBE=${mark}`)));
    const { dir } = await makeServedApp(join(sandbox.root, "app"), "tmpy", "v1");
    writeFileSync(join(dir, "skiff.yml"), sleepingBuild("tmpy", mark));
    commitAll(dir, "a build that writes its TMPDIR and runs for ten minutes");
    const push = startPush(dir, server.gitUrl("tmpy"));
    const [pid] = await waitForProcesses(`PROBE=${mark}`, "present", 20_000);
    assert.ok(pid !== undefined);
    // mktemp is done once sleep runs.
    const deadline = Date.now() + 20_000;
    while (!processesWithEnv(`PROBE=${mark}`).some((p) => commandOf(p).startsWith("sleep"))) {
      assert.ok(Date.now() < deadline, "the build never reached its sleep");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(readdirSync(serverTmp), [], "the build's temp file is not in the server's TMPDIR");

    await server.crash();
    // Unsandboxed, the build outlives a kill -9 of its server (docs/reliability.md): ours to end.
    killOurs(processesWithEnv(`PROBE=${mark}`));
    await push.kill();
    const again = await sandbox.restart(server);
    assert.deepEqual(
      readdirSync(join(again.data, "tmp")),
      [],
      "DATA/tmp, with the build's TMPDIR, is emptied",
    );
    assert.deepEqual(readdirSync(serverTmp), []);
  });

  it("git programs a killed server left running are ended at its next start, and their quarantine removed", async () => {
    const sandbox = serverSandbox();
    const server = await sandbox.start();
    const mark = randomBytes(6).toString("hex");
    after(() => killOurs(processesWithEnv(`PROBE=${mark}`)));
    const { dir } = await makeServedApp(join(sandbox.root, "app"), "orphan", "v1");
    writeFileSync(join(dir, "skiff.yml"), sleepingBuild("orphan", mark));
    commitAll(dir, "a build that runs for ten minutes");
    const push = startPush(dir, server.gitUrl("orphan"));
    await waitForProcesses(`PROBE=${mark}`, "present", 20_000);
    // git http-backend, receive-pack and its hook, waiting for the build: stopped, so that they are
    // still there (with receive-pack's quarantine) when the server is gone, as on a loaded host.
    const git = processesWithEnv("SKIFF_APP=orphan");
    after(() => killOurs(git));
    assert.ok(
      git.some((pid) => commandOf(pid).includes("receive-pack")),
      git.map(commandOf).join("\n"),
    );
    for (const pid of git) process.kill(pid, "SIGSTOP");
    const repo = join(server.data, "apps", "orphan.git");
    assert.equal(quarantinesIn(repo).length, 1, "receive-pack's quarantine of the pushed objects");

    await server.crash();
    await push.kill();
    const again = await sandbox.restart(server);
    assert.deepEqual(processesWithEnv("SKIFF_APP=orphan"), [], "the killed server's git programs are ended");
    assert.deepEqual(quarantinesIn(join(again.data, "apps", "orphan.git")), []);
  });
});
