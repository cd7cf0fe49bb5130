import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { test } from "node:test";
import { watchConfirmation } from "../../src/agent/swap-confirm.js";
import { HealthSchema } from "../../src/config/index.js";
import { SkiffError } from "../../src/errors/index.js";
import { freePort, waitForBody } from "../support/http.js";
import { FIXTURES } from "../support/paths.js";
import { startHttpBackend } from "../proxy/backends.js";
import { instanceAt } from "./instance-at.js";

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
    const instance = instanceAt(port, "crash");
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

test("the window asks for the followed pointer as often as it is told to, not every second", async () => {
  const backend = await startHttpBackend("hello");
  const instance = instanceAt(backend.address.port, "steady");
  const asked = async (pointerCheckMs: number | undefined): Promise<number> => {
    let reads = 0;
    const outcome = await watchConfirmation({
      instance,
      health: HealthSchema.parse({ http: "/", interval: "100ms", timeout: "1s" }),
      windowMs: 2500,
      inspect: () => Promise.resolve("running"),
      readPointer: () => {
        reads += 1;
        return Promise.resolve(1);
      },
      ...(pointerCheckMs === undefined ? {} : { pointerCheckMs }),
      isStopped: () => false,
      stoppedError: () => new SkiffError("ERR_SKIFF_APP_STOPPED", "stopped"),
    });
    assert.equal(outcome.ok, true);
    return reads;
  };
  try {
    assert.ok((await asked(undefined)) >= 1, "by default the pointer is read once a second");
    // An agent polling every 30 s: its window relies on triggers, and reads nothing of its own.
    assert.equal(await asked(30_000), 0);
  } finally {
    await backend.close();
  }
});
