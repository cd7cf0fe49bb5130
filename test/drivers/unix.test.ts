import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { unixDriver } from "../../src/drivers/unix/index.js";
import type { Instance, InstanceSpec } from "../../src/drivers/types.js";
import { freePort } from "../support/http.js";
import { tempDir } from "../support/temp.js";
import { describeDriverConformance, type SpecContext } from "./conformance.js";
import { fixtureInstanceSpec } from "./fixture-spec.js";

// The conformance suite against the unix driver, with the fake unikernels of test/fixtures.
const fixtures = tempDir("skiff-unix-fixtures-");

function fixtureSpec(context: SpecContext, fixture: string): InstanceSpec {
  return fixtureInstanceSpec(context, {
    root: fixtures,
    fixture,
    version: "conformance-v1",
    fileName: "hello",
  });
}

describeDriverConformance("unix", {
  // The unix driver keeps no state in its object: the same object stands for a restarted agent's.
  makeDriver: () => ({ ...unixDriver }),
  tier: "unix",
  makeSpec: (context) => fixtureSpec(context, "serve"),
  makeBadSpec: (context) => fixtureSpec(context, "crash"),
  expectBody: "conformance-v1 hello",
  expectLog: /serving conformance-v1/,
  bootTimeoutMs: 15_000,
  graceMs: 1000,
});

describe("unix driver environment", () => {
  it("tells the instance HOST=127.0.0.1 beside PORT, whatever deploy.env says, so it is reachable only on loopback", async () => {
    const dir = tempDir("skiff-unix-host-");
    const script = join(dir, "print-env.mjs");
    writeFileSync(
      script,
      `#!/usr/bin/env node\nconsole.log(JSON.stringify({ HOST: process.env.HOST, PORT: process.env.PORT }));\n`,
    );
    chmodSync(script, 0o755);
    const hostPort = await freePort();
    const instance = await unixDriver.start({
      id: "hello-1-envv",
      app: "hello",
      release: 1,
      files: { hello: script },
      args: [],
      env: { HOST: "0.0.0.0", GREETING: "hi" },
      memoryMiB: 64,
      guestPort: 8080,
      hostPort,
      dir,
      options: {},
    });
    assert.deepEqual(instance.address, { host: "127.0.0.1", port: hostPort });
    let printed = "";
    const deadline = Date.now() + 5000;
    while (!printed.includes("}") && Date.now() < deadline) {
      await sleep(20);
      printed = existsSync(instance.logPath) ? readFileSync(instance.logPath, "utf8") : "";
    }
    assert.deepEqual(JSON.parse(printed), { HOST: "127.0.0.1", PORT: String(hostPort) });
    await unixDriver.stop(instance, { graceMs: 500 });
  });

  it("hands the instance to onStarted while start() has not resolved yet (the agent records it there)", async () => {
    const dir = tempDir("skiff-unix-onstarted-");
    const script = join(dir, "wait.sh");
    writeFileSync(script, "#!/bin/sh\nexec sleep 30\n");
    chmodSync(script, 0o755);
    let resolved = false;
    let seen: { resolved: boolean; instance: Instance } | undefined;
    const starting = unixDriver.start({
      id: "hello-1-onst",
      app: "hello",
      release: 1,
      files: { hello: script },
      args: [],
      env: {},
      memoryMiB: 64,
      guestPort: 8080,
      hostPort: await freePort(),
      dir,
      options: {},
      onStarted: (instance) => (seen = { resolved, instance }),
    });
    // Synchronously: the record is written before start() gives the event loop a turn.
    assert.equal(seen?.resolved, false, "called before start() resolved");
    const instance = await starting.finally(() => (resolved = true));
    assert.deepEqual(seen?.instance, instance, "the very instance start() returns");
    assert.notEqual(instance.handle.startTime, "");
    await unixDriver.stop(instance, { graceMs: 500 });
  });
});
