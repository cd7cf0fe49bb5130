import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkKvmDevice, chooseAccelerator } from "../../src/drivers/qemu/accel.js";
import { createQemuDriver } from "../../src/drivers/qemu/index.js";
import type { Instance, InstanceSpec } from "../../src/drivers/types.js";
import { isSkiffError } from "../../src/errors/index.js";
import { isAlive, processStartTime } from "../../src/process/index.js";
import { tempDir } from "../support/temp.js";

// Parts of the qemu driver that need no VM: availability, option errors, accelerator choice, pid identity.
const root = tempDir("skiff-qemu-unit-");

function spec(qemu: unknown): InstanceSpec {
  const dir = join(root, "instance");
  mkdirSync(dir, { recursive: true });
  return {
    id: "hello-1-x",
    app: "hello",
    release: 1,
    files: { kernel: join(dir, "kernel") },
    args: [],
    env: {},
    memoryMiB: 64,
    guestPort: 8080,
    hostPort: 1,
    dir,
    options: { qemu },
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return isSkiffError(error) ? error.code : `not a SkiffError: ${String(error)}`;
  }
}

describe("qemu driver without a VM", () => {
  it("is unavailable without a qemu binary, with the package to install", async () => {
    const driver = createQemuDriver({ binary: "skiff-no-such-qemu", cacheDir: root });
    const availability = await driver.available();
    assert.equal(availability.available, false);
    assert.match(availability.reason ?? "", /apt-get install qemu-system-x86/);
    assert.equal(await codeOf(driver.start(spec({ accel: "tcg" }))), "ERR_SKIFF_DRIVER_UNAVAILABLE");
  });

  it("refuses bad deploy.qemu settings before running anything", async () => {
    const driver = createQemuDriver({ binary: "/bin/true", cacheDir: root });
    assert.equal(await codeOf(driver.start(spec({ accel: "fast" }))), "ERR_SKIFF_CONFIG_INVALID");
  });

  it("takes tcg as asked, without a probe", async () => {
    const choice = await chooseAccelerator({
      requested: "tcg",
      binary: "/nonexistent/qemu",
      kernel: "/nonexistent/kernel",
      cacheFile: join(root, "none.json"),
    });
    assert.equal(choice.accel, "tcg");
  });

  it("auto remembers the KVM verdict: a cached verdict is used without probing again", async () => {
    const cacheFile = join(root, "cached", "kvm-probe.json");
    mkdirSync(join(root, "cached"), { recursive: true });
    const binary = "/nonexistent/qemu"; // a probe would fail to spawn this: the verdict must come from the cache
    writeFileSync(
      cacheFile,
      JSON.stringify({
        kvm: false,
        reason: "cached verdict",
        hostKernel: release(),
        binary,
        probedAt: new Date().toISOString(),
      }),
    );
    const choice = await chooseAccelerator({
      requested: "auto",
      binary,
      kernel: "/nonexistent/kernel",
      cacheFile,
    });
    assert.equal(choice.accel, "tcg");
    // Without a usable /dev/kvm the device check answers first, and that is the reason given.
    assert.equal(choice.reason, checkKvmDevice() ?? "cached verdict");
  });

  it("never adopts or kills a process that reused the VM's pid", async () => {
    const other = spawn("sleep", ["30"], { stdio: "ignore" });
    const pid = other.pid!;
    try {
      const instance: Instance = {
        id: "hello-1-x",
        driver: "qemu",
        app: "hello",
        release: 1,
        address: { host: "127.0.0.1", port: 1 },
        handle: { pid, startTime: String(Number(processStartTime(pid)) + 1), qmp: join(root, "qmp.sock") },
        logPath: join(root, "console.log"),
        startedAt: new Date().toISOString(),
      };
      const driver = createQemuDriver({ cacheDir: root });
      assert.equal(await driver.inspect(instance), "exited");
      await driver.stop(instance, { graceMs: 100 });
      assert.equal(isAlive(pid), true);
    } finally {
      other.kill("SIGKILL");
    }
  });
});
