import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { test } from "node:test";
import { watchConfirmation } from "../../src/agent/swap-confirm.js";
import { HealthSchema } from "../../src/config/index.js";
import type { Instance } from "../../src/drivers/index.js";
import { SkiffError } from "../../src/errors/index.js";
import { freePort, waitForBody } from "../support/http.js";
import { FIXTURES } from "../support/paths.js";

test("a crash inside the confirmation window is noticed within ~50 ms, not at the next probe", async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [join(FIXTURES, "unikernels", "die-after.mjs"), `--port=${port}`], {
    env: { ...process.env, DIE_AFTER_MS: "600" },
    stdio: "ignore",
  });
  let exitedAt = 0;
  const exited = once(child, "exit").then(() => (exitedAt = Date.now()));
  try {
    await waitForBody(`http://127.0.0.1:${port}/`, "hello", 5000);
    const instance: Instance = {
      id: "crash-1",
      driver: "unix",
      app: "crash",
      release: 1,
      address: { host: "127.0.0.1", port },
      handle: {},
      logPath: "/dev/null",
      startedAt: new Date().toISOString(),
    };
    const outcome = await watchConfirmation({
      instance,
      // Probes 5 s apart: only the inspect between probes can notice the crash quickly.
      health: HealthSchema.parse({ http: "/", interval: "5s", timeout: "1s" }),
      windowMs: 10_000,
      inspect: () =>
        Promise.resolve(child.exitCode === null && child.signalCode === null ? "running" : "exited"),
      isStopped: () => false,
      stoppedError: () => new SkiffError("ERR_SKIFF_APP_STOPPED", "stopped"),
    });
    const noticedAt = Date.now();
    await exited;
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.error.code, "ERR_SKIFF_ROLLED_BACK");
    assert.equal(!outcome.ok && outcome.error.data?.reason, "crashed");
    assert.ok(noticedAt - exitedAt < 250, `noticed ${noticedAt - exitedAt} ms after the exit`);
  } finally {
    child.kill("SIGKILL");
  }
});
