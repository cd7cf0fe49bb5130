import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { acquireLock, createStateReader, readState, updateState, writeState } from "../../src/agent/index.js";
import { SkiffError, isSkiffError } from "../../src/errors/index.js";
import { processStartTime } from "../../src/process/index.js";
import { tempDir } from "../support/temp.js";

const held = (pid: number): SkiffError => new SkiffError("ERR_SKIFF_AGENT_LOCKED", `held by ${pid}`);

test("state round-trips and is written without leaving temp files", async () => {
  const data = tempDir();
  assert.deepEqual(readState(data), { version: 2, apps: {} });
  await updateState(data, (state) => {
    state.apps.hello = {
      instances: [],
      failed: [],
      observedCurrent: 3,
      stopped: { at: "2026-01-01T00:00:00.000Z" },
    };
  });
  assert.equal(readState(data).apps.hello?.observedCurrent, 3);
  // A stop by hand is history: it is kept in history.json too, for a rebuild of a lost state.json.
  assert.deepEqual(readdirSync(data).sort(), ["history.json", "state.json"]);
});

test("a state reader parses the file again only once it was written", async () => {
  const data = tempDir();
  const read = createStateReader(data);
  assert.deepEqual(read(), { version: 2, apps: {} });
  await updateState(
    data,
    (state) => void (state.apps.hello = { instances: [], failed: [], observedCurrent: 1 }),
  );
  const first = read();
  assert.equal(first.apps.hello?.observedCurrent, 1);
  assert.equal(read(), first, "unchanged: the same parse is returned");
  await updateState(data, (state) => void (state.apps.hello!.observedCurrent = 2));
  assert.equal(read().apps.hello?.observedCurrent, 2, "a write is seen at the next read");
  // Rewritten in place, as by hand: the size or the modification time tells.
  writeFileSync(
    join(data, "state.json"),
    readFileSync(join(data, "state.json"), "utf8").replace('"observedCurrent": 2', '"observedCurrent": 3'),
  );
  assert.equal(read().apps.hello?.observedCurrent, 3);
  // Other bytes of the same size with the same modification time (two writes in one tick of a
  // coarse clock): still seen.
  const path = join(data, "state.json");
  const tick = new Date("2026-12-03T12:00:00.000Z");
  utimesSync(path, tick, tick);
  assert.equal(read().apps.hello?.observedCurrent, 3);
  writeFileSync(path, readFileSync(path, "utf8").replace('"observedCurrent": 3', '"observedCurrent": 4'));
  utimesSync(path, tick, tick);
  assert.equal(read().apps.hello?.observedCurrent, 4);
});

test("readState gives every caller its own object, and checks a changed file again (reads of the same bytes skip the schema)", async () => {
  const data = tempDir();
  await updateState(
    data,
    (state) => void (state.apps.hello = { instances: [], failed: [], observedCurrent: 1 }),
  );
  const first = readState(data);
  first.apps.hello!.observedCurrent = 99;
  first.apps.hello!.failed.push({ release: 9, at: "2026-01-01T00:00:00.000Z", error: "x" } as never);
  const second = readState(data);
  assert.notEqual(second, first);
  assert.equal(
    second.apps.hello?.observedCurrent,
    1,
    "a change to a read object is not seen by the next read",
  );
  assert.deepEqual(second.apps.hello?.failed, []);
  // Written by hand with a field the schema fills (failed) and one it drops: each read has both done.
  const path = join(data, "state.json");
  writeFileSync(path, JSON.stringify({ version: 2, apps: { hello: { instances: [], extra: 1 } } }));
  for (let i = 0; i < 2; i += 1) {
    const read = readState(data);
    assert.deepEqual(read.apps.hello, { instances: [], failed: [] });
    read.apps.hello?.instances.push({} as never);
  }
  writeFileSync(path, JSON.stringify({ version: 2, apps: { hello: { instances: "none" } } }));
  assert.throws(
    () => readState(data),
    (e: unknown) => isSkiffError(e) && e.code === "ERR_SKIFF_STATE_CORRUPT",
  );
});

test("a state that does not match the schema is never written: the change fails as a bug and state.json stays as it was", async () => {
  const data = tempDir();
  await updateState(
    data,
    (state) => void (state.apps.hello = { instances: [], failed: [], observedCurrent: 1 }),
  );
  const before = readFileSync(join(data, "state.json"), "utf8");
  await assert.rejects(
    updateState(data, (state) => {
      (state.apps.hello as unknown as { observedCurrent: string }).observedCurrent = "two";
    }),
    (error: Error) =>
      !isSkiffError(error) && /apps\.hello\.observedCurrent: .*this is a bug/.test(error.message),
  );
  assert.equal(readFileSync(join(data, "state.json"), "utf8"), before);
  assert.equal(readState(data).apps.hello?.observedCurrent, 1);
});

test("a corrupt state file is ERR_SKIFF_STATE_CORRUPT with a hint", () => {
  const data = tempDir();
  writeFileSync(join(data, "state.json"), "{ not json");
  assert.throws(
    () => readState(data),
    (e: unknown) => isSkiffError(e) && e.code === "ERR_SKIFF_STATE_CORRUPT" && e.hint !== undefined,
  );
  writeState(data, { version: 2, apps: {} });
  writeFileSync(join(data, "state.json"), JSON.stringify({ version: 7, apps: {} }));
  assert.throws(
    () => readState(data),
    (e: unknown) => isSkiffError(e) && e.code === "ERR_SKIFF_STATE_CORRUPT",
  );
});

test("a version 1 state.json is read as version 2: its instance and swap sides become lists, each with a reason", async () => {
  const data = tempDir();
  const instance = (id: string, release: number) => ({
    id,
    driver: "unix",
    app: "hello",
    release,
    address: { host: "127.0.0.1", port: 4000 + release },
    handle: { pid: 100 + release, startTime: "1" },
    logPath: `/tmp/${id}.log`,
    startedAt: "2026-01-01T00:00:00.000Z",
  });
  const v1 = {
    version: 1,
    apps: {
      hello: {
        instance: instance("hello-1-aaaa", 1),
        failed: [{ release: 3, ok: false, at: "2026-01-01T00:00:00.000Z" }],
        observedCurrent: 3,
        swap: {
          deploy: "d-1",
          strategy: "blue-green",
          release: 2,
          phase: "checking",
          old: instance("hello-1-aaaa", 1),
          next: instance("hello-2-bbbb", 2),
          at: "2026-01-01T00:00:00.000Z",
        },
      },
      // Nothing ever ran for it: an empty list, no swap.
      other: { failed: [] },
    },
  };
  writeFileSync(join(data, "state.json"), JSON.stringify(v1));
  const state = readState(data);
  assert.equal(state.version, 2);
  const hello = state.apps.hello!;
  assert.deepEqual(
    hello.instances.map((i) => [i.id, i.reason]),
    [["hello-1-aaaa", "deploy"]],
  );
  assert.deepEqual(
    [hello.swap?.old.map((i) => i.id), hello.swap?.next.map((i) => i.id)],
    [["hello-1-aaaa"], ["hello-2-bbbb"]],
  );
  assert.deepEqual([hello.failed.map((f) => f.release), hello.observedCurrent], [[3], 3]);
  assert.deepEqual(state.apps.other?.instances, []);
  // The next change writes version 2, which reads back the same.
  await updateState(data, () => undefined);
  const written = JSON.parse(readFileSync(join(data, "state.json"), "utf8")) as {
    version: number;
    apps: Record<string, { instance?: unknown; instances?: unknown[] }>;
  };
  assert.equal(written.version, 2);
  assert.equal(written.apps.hello?.instance, undefined);
  assert.equal(written.apps.hello?.instances?.length, 1);
  assert.deepEqual(readState(data), state);
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
