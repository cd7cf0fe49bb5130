import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { commitAll, writeFixture } from "../support/app-repo.js";
import { commandOf, processesWithEnv } from "../support/processes.js";
import { appMain, startPush, type PushProcess } from "./push-client.js";
import { gitPush, makeServedApp, serverSandbox, type RunningServer } from "./server-harness.js";

/** SIGKILL to processes this test started, found by their app's name in their environment. */
function killOurs(app: string): void {
  for (const pid of processesWithEnv(`SKIFF_APP=${app}`)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}

async function waitForNoGit(app: string, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = processesWithEnv(`SKIFF_APP=${app}`);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = processesWithEnv(`SKIFF_APP=${app}`);
  }
  return left;
}

/**
 * A push whose git receive-pack is still busy after the server answered it: a post-receive hook
 * (beside skiff's pre-receive in DATA/hooks) that runs for ten minutes, as a slow git would.
 */
async function pushWithBusyGit(
  app: string,
): Promise<{ server: RunningServer; push: PushProcess; v2: string }> {
  const sandbox = serverSandbox();
  const server = await sandbox.start();
  after(() => killOurs(app));
  const { dir } = await makeServedApp(join(sandbox.root, "app"), app, "v1");
  assert.equal((await gitPush(dir, server.gitUrl(app))).code, 0);
  const hook = join(server.data, "hooks", "post-receive");
  writeFileSync(hook, "#!/bin/sh\nexec sleep 600\n");
  chmodSync(hook, 0o755);
  writeFixture(dir, "serve", "v2");
  const v2 = commitAll(dir, "v2");
  const push = startPush(dir, server.gitUrl(app));
  const deadline = Date.now() + 60_000;
  while (!processesWithEnv(`SKIFF_APP=${app}`).some((pid) => commandOf(pid).startsWith("sleep"))) {
    assert.ok(Date.now() < deadline, `the post-receive hook never ran: ${push.output()}`);
    await sleep(100);
  }
  assert.equal(appMain(server.data, app), v2, "the push landed before its post-receive hook");
  return { server, push, v2 };
}

describe("the server's git programs", () => {
  it("end when the server stops, whatever they were doing", async () => {
    const { server, push } = await pushWithBusyGit("stopgit");
    const before = processesWithEnv("SKIFF_APP=stopgit");
    assert.ok(
      before.some((pid) => commandOf(pid).includes("receive-pack")),
      before.map(commandOf).join("\n"),
    );
    await server.stop();
    // Gone by the time the server has exited: nothing to wait for.
    assert.deepEqual(processesWithEnv("SKIFF_APP=stopgit").map(commandOf), []);
    await push.kill();
  });

  it("end once their push is settled and their pusher is gone, while the server runs on", async () => {
    const { server, push, v2 } = await pushWithBusyGit("gonegit");
    await push.kill();
    const left = await waitForNoGit("gonegit", 25_000);
    assert.deepEqual(left.map(commandOf), [], "receive-pack and its hook were ended");
    assert.equal(appMain(server.data, "gonegit"), v2, "main stays where the push moved it");
  });
});
