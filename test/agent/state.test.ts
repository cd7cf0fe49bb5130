import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { acquireLock } from "../../src/agent/lock.js";
import { readState, updateState, writeState } from "../../src/agent/index.js";
import { SkiffError, isSkiffError } from "../../src/errors/index.js";
import { processStartTime } from "../../src/process/index.js";
import { tempDir } from "../support/temp.js";

const held = (pid: number): SkiffError => new SkiffError("ERR_SKIFF_AGENT_LOCKED", `held by ${pid}`);

test("state round-trips and is written without leaving temp files", async () => {
  const data = tempDir();
  assert.deepEqual(readState(data), { version: 1, apps: {} });
  await updateState(data, (state) => {
    state.apps.hello = { failed: [], observedCurrent: 3, stopped: { at: "2026-01-01T00:00:00.000Z" } };
  });
  assert.equal(readState(data).apps.hello?.observedCurrent, 3);
  assert.deepEqual(readdirSync(data).sort(), ["state.json"]);
});

test("a corrupt state file is ERR_SKIFF_STATE_CORRUPT with a hint", () => {
  const data = tempDir();
  writeFileSync(join(data, "state.json"), "{ not json");
  assert.throws(
    () => readState(data),
    (e: unknown) => isSkiffError(e) && e.code === "ERR_SKIFF_STATE_CORRUPT" && e.hint !== undefined,
  );
  writeState(data, { version: 1, apps: {} });
  writeFileSync(join(data, "state.json"), JSON.stringify({ version: 7, apps: {} }));
  assert.throws(
    () => readState(data),
    (e: unknown) => isSkiffError(e) && e.code === "ERR_SKIFF_STATE_CORRUPT",
  );
});

test("a lock held by a live process refuses; a stale one is taken over", async () => {
  const data = tempDir();
  const path = join(data, "agent.lock");
  const sleeper = spawn("sleep", ["30"], { stdio: "ignore" });
  try {
    const pid = sleeper.pid!;
    await new Promise((r) => setTimeout(r, 50));
    writeFileSync(path, JSON.stringify({ pid, startTime: processStartTime(pid) }));
    await assert.rejects(
      acquireLock(path, { onHeld: held }),
      (e: unknown) => isSkiffError(e) && e.code === "ERR_SKIFF_AGENT_LOCKED",
    );
    // Same pid, another start time: a reused pid is not the holder.
    writeFileSync(path, JSON.stringify({ pid, startTime: "1" }));
    const lock = await acquireLock(path, { onHeld: held });
    await assert.rejects(
      acquireLock(path, { onHeld: held }),
      (e: unknown) => isSkiffError(e) && e.code === "ERR_SKIFF_AGENT_LOCKED",
    );
    lock.release();
    (await acquireLock(path, { onHeld: held })).release();
  } finally {
    sleeper.kill("SIGKILL");
  }
});
