import assert from "node:assert/strict";
import { copyFileSync, chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { getDriver, type Instance, type InstanceSpec } from "../../src/drivers/index.js";
import { isSkiffError } from "../../src/errors/index.js";
import { isAlive } from "../../src/process/index.js";
import { freePort, waitForBody } from "../support/http.js";
import { FIXTURES } from "../support/paths.js";
import { tempDir } from "../support/temp.js";

async function specFor(fixture: string, args: string[] = []): Promise<InstanceSpec> {
  const dir = tempDir();
  const binary = join(dir, "server");
  writeFileSync(
    binary,
    readFileSync(join(FIXTURES, "unikernels", `${fixture}.mjs`), "utf8").replaceAll("__VERSION__", "v7"),
  );
  chmodSync(binary, 0o755);
  mkdirSync(join(dir, "instance"));
  const port = await freePort();
  return {
    id: "hello-7-test",
    app: "hello",
    release: 7,
    files: { server: binary },
    args,
    env: { GREETING: "hi" },
    memoryMiB: 128,
    guestPort: port,
    hostPort: port,
    dir: join(dir, "instance"),
    options: {},
  };
}

const unix = getDriver("unix");

test("unix: runs the artifact with PORT and env, logs to console.log, stops the group", async (t) => {
  const spec = await specFor("serve");
  const instance = await unix.start(spec);
  t.after(() => unix.stop(instance, { graceMs: 100 }));
  assert.equal(await waitForBody(`http://127.0.0.1:${spec.hostPort}/`, "v7 hi"), "v7 hi\n");
  assert.equal(await unix.inspect(instance), "running");
  assert.equal(typeof instance.handle.pid, "number");
  await unix.stop(instance, { graceMs: 2000 });
  assert.equal(isAlive(instance.handle.pid as number), false);
  assert.equal(await unix.inspect(instance), "exited");
  const lines: string[] = [];
  for await (const line of unix.logs(instance)) lines.push(line);
  assert.deepEqual(lines, [`serving v7 on ${spec.hostPort}`, "stopping"]);
});

test("unix: argv from the spec (--port=N wins over PORT)", async (t) => {
  const spec = await specFor("serve");
  const other = await freePort();
  const instance = await unix.start({ ...spec, args: [`--port=${other}`] });
  t.after(() => unix.stop(instance, { graceMs: 100 }));
  await waitForBody(`http://127.0.0.1:${other}/`, "v7");
});

test("unix: an instance that ignores SIGTERM is killed after the grace period", async () => {
  const spec = await specFor("hang");
  const stubborn = join(spec.dir, "stubborn");
  writeFileSync(
    stubborn,
    "#!/usr/bin/env node\nprocess.on('SIGTERM', () => console.log('ignored'));\nconsole.log('up');\nsetInterval(() => undefined, 1000);\n",
  );
  chmodSync(stubborn, 0o755);
  const instance = await unix.start({ ...spec, files: { stubborn } });
  await waitForLine(instance, "up");
  const started = Date.now();
  await unix.stop(instance, { graceMs: 300 });
  assert.ok(Date.now() - started >= 300, "waited the grace period");
  assert.equal(await unix.inspect(instance), "exited");
});

async function waitForLine(instance: Instance, expected: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    for await (const line of unix.logs(instance)) if (line === expected) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no line ${expected} in ${instance.logPath}`);
}

test("unix: a pid with another start time is never adopted nor killed", async (t) => {
  const spec = await specFor("serve");
  const instance = await unix.start(spec);
  t.after(() => unix.stop(instance, { graceMs: 100 }));
  await waitForBody(`http://127.0.0.1:${spec.hostPort}/`, "v7");
  const impostor: Instance = { ...instance, handle: { ...instance.handle, startTime: "1" } };
  assert.equal(await unix.inspect(impostor), "exited");
  await unix.stop(impostor, { graceMs: 50 });
  assert.equal(await unix.inspect(instance), "running");
});

test("unix: an artifact that cannot run is ERR_SKIFF_DRIVER_START", async () => {
  const spec = await specFor("serve");
  const notExecutable = join(spec.dir, "data.bin");
  copyFileSync(spec.files.server!, notExecutable);
  chmodSync(notExecutable, 0o644);
  await assert.rejects(
    unix.start({ ...spec, files: { "data.bin": notExecutable } }),
    (e: unknown) => isSkiffError(e) && e.code === "ERR_SKIFF_DRIVER_START",
  );
});

test("getDriver: an unknown driver is ERR_SKIFF_DRIVER_UNAVAILABLE", () => {
  assert.throws(
    () => getDriver("vmware"),
    (e: unknown) => isSkiffError(e) && e.code === "ERR_SKIFF_DRIVER_UNAVAILABLE",
  );
});
