import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it, type TestContext } from "node:test";
import { isSkiffError } from "../../src/errors/index.js";
import type { Driver, Instance, InstanceSpec, InstanceStatus } from "../../src/drivers/types.js";
import { freePort, httpGet, waitForBody } from "../support/http.js";
import { tempDir } from "../support/temp.js";
import { requireTier } from "../support/tiers.js";

export interface SpecContext {
  id: string;
  /** The instance's own directory (exists). */
  dir: string;
  hostPort: number;
}

export interface ConformanceOptions {
  /** A new driver object each call: adoption is tested with a driver that did not start the instance. */
  makeDriver: () => Driver;
  /** Test tier for requireTier (e.g. "qemu"); the suite cannot run when canRun gives a reason. */
  tier: string;
  /** Why this machine cannot run the driver's instances (image not built …), or undefined. */
  canRun?: () => Promise<string | undefined>;
  /** A release that boots and serves `expectBody` on 127.0.0.1:hostPort. */
  makeSpec: (context: SpecContext) => InstanceSpec;
  /** A release that dies at boot (panicking kernel, crashing binary). */
  makeBadSpec: (context: SpecContext) => InstanceSpec;
  expectBody: string;
  /** Something the instance log shows once it booted. */
  expectLog: RegExp;
  bootTimeoutMs: number;
  /** Grace for stop(): short, so a guest that ignores the graceful signal does not slow the suite. */
  graceMs: number;
}

async function collectLogs(driver: Driver, instance: Instance): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of driver.logs(instance)) lines.push(line);
  return lines;
}

async function waitForStatus(
  driver: Driver,
  instance: Instance,
  want: InstanceStatus,
  timeoutMs: number,
): Promise<InstanceStatus> {
  const deadline = Date.now() + timeoutMs;
  let status = await driver.inspect(instance);
  while (status !== want && Date.now() < deadline) {
    await sleep(200);
    status = await driver.inspect(instance);
  }
  return status;
}

async function waitForLog(
  driver: Driver,
  instance: Instance,
  expect: RegExp,
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let lines = await collectLogs(driver, instance);
  while (!lines.some((line) => expect.test(line)) && Date.now() < deadline) {
    await sleep(200);
    lines = await collectLogs(driver, instance);
  }
  return lines;
}

/** The shared contract of every driver (DESIGN.md, Drivers), run by test/drivers/<driver>.test.ts. */
export function describeDriverConformance(name: string, options: ConformanceOptions): void {
  describe(`driver conformance: ${name}`, () => {
    const root = tempDir(`skiff-${name}-`);
    let counter = 0;
    const started: Array<{ driver: Driver; instance: Instance }> = [];

    async function newContext(): Promise<SpecContext> {
      counter += 1;
      const id = `conf-${counter}-${process.pid}`;
      const dir = join(root, `i${counter}`);
      mkdirSync(dir, { recursive: true });
      return { id, dir, hostPort: await freePort() };
    }

    async function ready(t: TestContext): Promise<boolean> {
      const availability = await options.makeDriver().available();
      const reason = availability.available
        ? await options.canRun?.()
        : (availability.reason ?? "not available");
      return requireTier(t, options.tier, reason);
    }

    // Never leave an instance running, whatever a test asserted.
    async function stopAll(): Promise<void> {
      for (const { driver, instance } of started.splice(0))
        await driver.stop(instance, { graceMs: options.graceMs });
    }

    it("available() answers a boolean, and a reason when false", async () => {
      const availability = await options.makeDriver().available();
      assert.equal(typeof availability.available, "boolean");
      if (!availability.available) assert.ok(availability.reason && availability.reason.length > 0);
    });

    it("start → running → serves → logs → stop → exited → stop again is a no-op", async (t) => {
      if (!(await ready(t))) return;
      t.after(stopAll);
      const driver = options.makeDriver();
      const context = await newContext();
      const instance = await driver.start(options.makeSpec(context));
      started.push({ driver, instance });
      assert.equal(instance.driver, name);
      assert.deepEqual(instance.address, { host: "127.0.0.1", port: context.hostPort });
      const body = await waitForBody(
        `http://127.0.0.1:${context.hostPort}/`,
        options.expectBody,
        options.bootTimeoutMs,
      );
      assert.ok(body.includes(options.expectBody));
      assert.equal(await driver.inspect(instance), "running");
      const lines = await waitForLog(driver, instance, options.expectLog, 5000);
      assert.ok(
        lines.some((line) => options.expectLog.test(line)),
        `log shows ${options.expectLog}`,
      );
      await driver.stop(instance, { graceMs: options.graceMs });
      assert.equal(await driver.inspect(instance), "exited");
      await assert.rejects(httpGet(`http://127.0.0.1:${context.hostPort}/`, 1000));
      await driver.stop(instance, { graceMs: options.graceMs });
      assert.equal(await driver.inspect(instance), "exited");
    });

    it("adoption: a new driver object given the persisted instance inspects and stops it", async (t) => {
      if (!(await ready(t))) return;
      t.after(stopAll);
      const first = options.makeDriver();
      const context = await newContext();
      const instance = await first.start(options.makeSpec(context));
      started.push({ driver: first, instance });
      await waitForBody(`http://127.0.0.1:${context.hostPort}/`, options.expectBody, options.bootTimeoutMs);
      const persisted = JSON.parse(JSON.stringify(instance)) as Instance;
      const second = options.makeDriver();
      assert.equal(await second.inspect(persisted), "running");
      await second.stop(persisted, { graceMs: options.graceMs });
      assert.equal(await first.inspect(instance), "exited");
      await assert.rejects(httpGet(`http://127.0.0.1:${context.hostPort}/`, 1000));
    });

    it("a release that dies at boot ends exited (or fails to start) and never serves", async (t) => {
      if (!(await ready(t))) return;
      t.after(stopAll);
      const driver = options.makeDriver();
      const context = await newContext();
      let instance: Instance;
      try {
        instance = await driver.start(options.makeBadSpec(context));
      } catch (error) {
        assert.ok(isSkiffError(error), `a start error is a SkiffError: ${String(error)}`);
        return;
      }
      started.push({ driver, instance });
      const deadline = Date.now() + options.bootTimeoutMs;
      let status = await driver.inspect(instance);
      while (status !== "exited" && Date.now() < deadline) {
        const answer = await httpGet(`http://127.0.0.1:${context.hostPort}/`, 1000).catch(() => undefined);
        assert.equal(answer, undefined, "a release that dies at boot never serves");
        await sleep(200);
        status = await driver.inspect(instance);
      }
      assert.equal(await waitForStatus(driver, instance, "exited", 1000), "exited");
    });
  });
}
