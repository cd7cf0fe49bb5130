import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkKvmDevice, chooseAccelerator, type KvmVerdict } from "../../src/drivers/qemu/accel.js";
import { createQemuDriver } from "../../src/drivers/qemu/index.js";
import type { InstanceSpec } from "../../src/drivers/types.js";
import { isSkiffError } from "../../src/errors/index.js";
import { freePort, waitForBody } from "../support/http.js";
import { tempDir } from "../support/temp.js";
import { requireTier } from "../support/tiers.js";
import { describeDriverConformance, type SpecContext } from "./conformance.js";
import { HELLO_INITRD, HELLO_KERNEL, helloImageMissing } from "./virtio-image.js";

// The conformance suite against real qemu VMs booting the virtio image of examples/hello (TCG).
const cacheDir = tempDir("skiff-qemu-cache-");

function helloSpec(context: SpecContext, args: string[]): InstanceSpec {
  return {
    id: context.id,
    app: "hello",
    release: 1,
    files: { kernel: HELLO_KERNEL, initrd: HELLO_INITRD },
    args,
    env: {},
    memoryMiB: 128,
    guestPort: 8080,
    hostPort: context.hostPort,
    dir: context.dir,
    options: { qemu: { accel: "tcg" } },
  };
}

describeDriverConformance("qemu", {
  makeDriver: () => createQemuDriver({ cacheDir }),
  tier: "qemu",
  canRun: () => Promise.resolve(helloImageMissing()),
  makeSpec: (context) => helloSpec(context, ["port=8080", "version=conformance"]),
  makeBadSpec: (context) => helloSpec(context, ["port=8080", "panic_on_boot=1"]),
  expectBody: "version conformance",
  expectLog: /skiff-image: booting kernel/,
  bootTimeoutMs: 60_000,
  graceMs: 1000,
});

describe("qemu driver with real VMs", () => {
  it("a host port that is taken is ERR_SKIFF_PORT_IN_USE, and no VM is left", async (t) => {
    if (!requireTier(t, "qemu", (await qemuMissing()) ?? helloImageMissing())) return;
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    t.after(() => blocker.close());
    const hostPort = (blocker.address() as AddressInfo).port;
    const dir = join(cacheDir, "port-taken");
    mkdirSync(dir, { recursive: true });
    const driver = createQemuDriver({ cacheDir });
    await assert.rejects(
      driver.start(helloSpec({ id: "port-taken", dir, hostPort }, ["port=8080"])),
      (error) => {
        assert.ok(isSkiffError(error));
        assert.equal(error.code, "ERR_SKIFF_PORT_IN_USE");
        return true;
      },
    );
    assert.equal(existsSync(join(dir, "qemu.pid")), false);
  });

  it("stop powers the guest down through QMP's ACPI power button, well before the grace runs out", async (t) => {
    if (!requireTier(t, "qemu", (await qemuMissing()) ?? helloImageMissing())) return;
    const dir = join(cacheDir, "powerdown");
    mkdirSync(dir, { recursive: true });
    const driver = createQemuDriver({ cacheDir });
    const instance = await driver.start(
      helloSpec({ id: "powerdown", dir, hostPort: await freePort() }, ["port=8080"]),
    );
    t.after(() => driver.stop(instance, { graceMs: 1000 }));
    await waitForBody(`http://127.0.0.1:${instance.address.port}/`, "hello from skiff", 60_000);
    const started = Date.now();
    await driver.stop(instance, { graceMs: 30_000 });
    assert.ok(Date.now() - started < 10_000, `stop took ${Date.now() - started} ms`);
    assert.equal(await driver.inspect(instance), "exited");
    const lines: string[] = [];
    for await (const line of driver.logs(instance)) lines.push(line);
    assert.ok(
      lines.includes("skiff-image: ACPI power button, powering off"),
      "the guest saw the power button",
    );
    assert.ok(
      lines.every((line) => !line.endsWith("\r")),
      "console lines come without carriage returns",
    );
  });

  it("accel auto probes KVM once, remembers the verdict, and boots with what it chose", async (t) => {
    if (!requireTier(t, "qemu", (await qemuMissing()) ?? helloImageMissing())) return;
    const probeCache = tempDir("skiff-kvm-probe-");
    const binary = (await createQemuDriver().available()).details?.binary ?? "qemu-system-x86_64";
    const options = {
      requested: "auto" as const,
      binary,
      kernel: HELLO_KERNEL,
      cacheFile: join(probeCache, "kvm-probe.json"),
      probeTimeoutMs: 8000,
    };
    const first = await chooseAccelerator(options);
    const deviceProblem = checkKvmDevice();
    if (deviceProblem === undefined) {
      const verdict = JSON.parse(readFileSync(options.cacheFile, "utf8")) as KvmVerdict;
      assert.equal(first.accel, verdict.kvm ? "kvm" : "tcg");
      const started = Date.now();
      const second = await chooseAccelerator(options);
      assert.deepEqual(second, first);
      assert.ok(Date.now() - started < 1000, "the second choice reads the verdict instead of probing");
    } else {
      assert.deepEqual(first, { accel: "tcg", reason: deviceProblem });
    }
  });
});

async function qemuMissing(): Promise<string | undefined> {
  const availability = await createQemuDriver({ cacheDir }).available();
  return availability.available ? undefined : availability.reason;
}
