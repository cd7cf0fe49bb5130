import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { describe, it } from "node:test";
import { makeAppRepo, writeAndCommit } from "../support/app-repo.js";
import { waitForProcesses } from "../support/processes.js";
import { serverEvents, waitForServerEvent } from "./push-client.js";
import { gitPush, serverSandbox } from "./server-harness.js";

/** An app whose build starts a setsid daemon, then waits for it; every process carries PROBE=<mark>. */
function daemonYml(app: string, mark: string): string {
  return `app: ${app}
build:
  command: setsid sh -c 'sleep 1000' & sleep 1000
  timeout: 3s
  matrix:
    - target: unix
      env: { PROBE: "${mark}" }
      artifact: _build/out
      deploy: true
`;
}

describe("builds on skiff server are contained", () => {
  it("kills a daemonizing build at its timeout, and the app's next push gets the build slot", async () => {
    const sandbox = serverSandbox();
    // One build at a time: a daemon that held the slot would hold every push.
    const server = await sandbox.start(["--builds", "1"]);
    const mark = randomBytes(6).toString("hex");
    const dir = makeAppRepo(join(sandbox.root, "app"), {
      app: "daemon",
      skiffYml: daemonYml("daemon", mark),
    });
    const timedOut = await gitPush(dir, server.gitUrl("daemon"));
    assert.notEqual(timedOut.code, 0);
    assert.match(timedOut.stderr, /build step timed out after 3s and was killed/);
    await waitForProcesses(`PROBE=${mark}`, "gone", 5000);
    writeAndCommit(
      dir,
      "skiff.yml",
      daemonYml("daemon", mark).replace(/command: .*/, "command: mkdir -p _build && touch _build/out"),
      "quick",
    );
    const next = await gitPush(dir, server.gitUrl("daemon"));
    assert.match(next.stderr, /build unix ok/, next.stderr);
    assert.equal(
      serverEvents(server.data).some((e) => e.type === "build.sandbox_unavailable"),
      false,
    );
  });

  it("says at start, and to each pusher, when bubblewrap cannot run, and still kills the daemon", async () => {
    const sandbox = serverSandbox();
    const server = await sandbox.start([], { SKIFF_BWRAP: join(sandbox.root, "no-such-bwrap") });
    const event = await waitForServerEvent(server.data, (e) => e.type === "build.sandbox_unavailable");
    assert.match(event.message, /builds run without a sandbox: .*no-such-bwrap cannot run/);
    const hint = (event as { error?: { hint?: string } }).error?.hint ?? "";
    assert.match(hint, /install bubblewrap/);
    const mark = randomBytes(6).toString("hex");
    const dir = makeAppRepo(join(sandbox.root, "app"), { app: "bare", skiffYml: daemonYml("bare", mark) });
    const push = await gitPush(dir, server.gitUrl("bare"));
    assert.match(push.stderr, /warning: the build runs without a sandbox/);
    assert.match(push.stderr, /timed out after 3s/);
    await waitForProcesses(`PROBE=${mark}`, "gone", 5000);
  });
});
