import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { test } from "node:test";
import { watchConfirmation } from "../../src/agent/index.js";
import { HealthSchema } from "../../src/config/index.js";
import { SkiffError, isSkiffError } from "../../src/errors/index.js";
import { freePort, waitForBody } from "../support/http.js";
import { FIXTURES } from "../support/paths.js";
import { startHttpBackend } from "../proxy/backends.js";
import { instanceAt } from "./instance-at.js";

const stoppedError = (): SkiffError => new SkiffError("ERR_SKIFF_APP_STOPPED", "stopped");

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
      instances: [instance],
      // Probes 5 s apart: only the inspect between probes can notice the crash quickly.
      health: HealthSchema.parse({ http: "/", interval: "5s", timeout: "1s" }),
      windowMs: 10_000,
      inspect: () =>
        Promise.resolve(child.exitCode === null && child.signalCode === null ? "running" : "exited"),
      isStopped: () => false,
      stoppedError,
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

test("the task's signal ends a window: a newer release confirms once a probe passed, a stop ends it with ERR_SKIFF_APP_STOPPED", async () => {
  const backend = await startHttpBackend("hello");
  const instance = instanceAt(backend.address.port, "steady");
  const watch = (signal: AbortSignal) =>
    watchConfirmation({
      instances: [instance],
      health: HealthSchema.parse({ http: "/", interval: "100ms", timeout: "1s" }),
      // Far longer than the test: only the signal can end it.
      windowMs: 600_000,
      inspect: () => Promise.resolve("running"),
      signal,
      isStopped: () => false,
      stoppedError,
    });
  try {
    const superseded = new AbortController();
    const probed = new Promise<void>((resolve) => setTimeout(resolve, 300));
    const outcome = watch(superseded.signal);
    await probed;
    superseded.abort({ kind: "superseded", release: 7 });
    const confirmed = await outcome;
    assert.deepEqual(confirmed.ok && confirmed.supersededBy, 7);

    const stop = new AbortController();
    const stopped = watch(stop.signal);
    stop.abort({ kind: "stopped" });
    await assert.rejects(stopped, (e: unknown) => isSkiffError(e) && e.code === "ERR_SKIFF_APP_STOPPED");
  } finally {
    await backend.close();
  }
});
