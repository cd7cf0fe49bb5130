import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { findFreePort, startAgent, stopApp } from "../src/agent/index.js";
import { getDriver } from "../src/drivers/index.js";
import { findExecutable } from "../src/process/index.js";
import { frontDoorDir, stopFrontDoor } from "../src/proxy/index.js";
import { HELLO_INITRD, HELLO_KERNEL, helloImageMissing } from "../test/drivers/virtio-image.js";
import { storeArtifacts } from "../test/support/fixture-release.js";
import { asleep, percentile, until } from "./scale-host.js";
import { timedRequest } from "./timed-request.js";

export interface QemuColdFigures {
  wakes: number;
  lost: number;
  /** First SYN to first response byte through the door, from zero (a VM booted under TCG). */
  coldMs: { p50: number; p99: number };
  /** The VM's own start, the driver's start to its first HTTP answer, measured in the same run. */
  ownStartMs: { p50: number; p99: number };
}

/** Why the qemu cold starts cannot run here, or undefined. */
export function qemuColdMissing(): string | undefined {
  if (findExecutable("qemu-system-x86_64") === undefined) return "qemu-system-x86_64 is not on PATH";
  return helloImageMissing();
}

const yml = `app: vm
build:
  command: "true"
  matrix:
    - target: virtio
      artifact: [_build/kernel, _build/initrd]
      deploy: true
deploy:
  driver: qemu
  port: 8080
  memory: 128M
  args: ["port={port}", "version=cold"]
  hostname: vm.localhost
  scale: { min: 0, max: 1, idle: 100ms, wake_timeout: 60s }
  health: { http: /, timeout: 60s, interval: 50ms }
  confirm: 0s
  stop_timeout: 5s
  qemu: { accel: tcg }
`;

async function httpAnswers(port: number): Promise<boolean> {
  const answer = await timedRequest(port, "vm.localhost", 2000);
  return answer.ok;
}

/** The VM's own start: the qemu driver boots the same image, timed to its first HTTP answer. */
async function ownStart(root: string, index: number): Promise<number> {
  const driver = getDriver("qemu");
  const dir = join(root, `own-${index}`);
  mkdirSync(dir, { recursive: true });
  const began = performance.now();
  const instance = await driver.start({
    id: `own-${index}`,
    app: "vm",
    release: 1,
    files: { kernel: HELLO_KERNEL, initrd: HELLO_INITRD },
    args: ["port=8080", "version=own"],
    env: {},
    memoryMiB: 128,
    guestPort: 8080,
    hostPort: (await findFreePort())!,
    dir,
    options: { qemu: { accel: "tcg" } },
  });
  try {
    const deadline = Date.now() + 60_000;
    while (!(await httpAnswers(instance.address.port))) {
      if (Date.now() > deadline) throw new Error("the VM did not answer within 60 s");
      await sleep(20);
    }
    return performance.now() - began;
  } finally {
    await driver.stop(instance, { graceMs: 1000 });
  }
}

/** Cold starts of a qemu (TCG) app through the door, `wakes` one after another, beside the VM's own start. */
export async function measureQemuColdStart(options: {
  root: string;
  wakes: number;
  log: (line: string) => void;
}): Promise<QemuColdFigures> {
  const root = join(options.root, "cold-qemu");
  mkdirSync(root, { recursive: true });
  const repo = join(root, "deploy.git");
  const data = join(root, "host");
  const front = (await findFreePort())!;
  await storeArtifacts({
    repo,
    app: "vm",
    version: "v1",
    yml,
    target: "virtio",
    files: [
      { name: "kernel", path: HELLO_KERNEL },
      { name: "initrd", path: HELLO_INITRD },
    ],
  });
  const agent = await startAgent({ repo, data, pollMs: 3_600_000, front: `127.0.0.1:${front}` });
  const cold: number[] = [];
  let lost = 0;
  try {
    await until(() => asleep(data, "vm"), 120_000);
    for (let i = 0; i < options.wakes; i += 1) {
      await until(() => asleep(data, "vm"), 60_000);
      const answer = await timedRequest(front, "vm.localhost", 90_000);
      if (answer.ok) cold.push(answer.firstByteMs);
      else lost += 1;
    }
    options.log(`  ${options.wakes} qemu wakes`);
  } finally {
    await agent.stop();
    await stopApp(data, "vm").catch(() => undefined);
    await stopFrontDoor(frontDoorDir(data));
  }
  const own: number[] = [];
  for (let i = 0; i < options.wakes; i += 1) own.push(await ownStart(root, i));
  return {
    wakes: options.wakes,
    lost,
    coldMs: { p50: percentile(cold, 50), p99: percentile(cold, 99) },
    ownStartMs: { p50: percentile(own, 50), p99: percentile(own, 99) },
  };
}
