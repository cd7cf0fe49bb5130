import { createQemuDriver } from "../../src/drivers/qemu/index.js";
import type { InstanceSpec } from "../../src/drivers/types.js";
import { tempDir } from "../support/temp.js";
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
