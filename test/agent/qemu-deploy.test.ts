import { frontDoorDir } from "../../src/proxy/index.js";
import { stopFrontDoorNow } from "../support/stop-host.js";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { findExecutable } from "../../src/process/index.js";
import { isSameProcess } from "../../src/process/index.js";
import { commitAll, makeAppRepo } from "../support/app-repo.js";
import { freePort, httpGet, waitForBody } from "../support/http.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { tempDir } from "../support/temp.js";
import { requireTier } from "../support/tiers.js";
import { HELLO_INITRD, HELLO_KERNEL, helloImageMissing } from "../drivers/virtio-image.js";
import { readEvents, readStateFile } from "./deploy-host.js";

// The qemu tier: real VMs of examples/hello's virtio image, deployed by the agent from stored releases.

function virtioYml(options: { version: string; publish: string; panic?: boolean }): string {
  const args = ["port={port}", `version=${options.version}`, ...(options.panic ? ["panic_on_boot=1"] : [])];
  return `app: hello
build:
  command: mkdir -p _build && cp ${HELLO_KERNEL} _build/kernel && cp ${HELLO_INITRD} _build/initrd
  timeout: 2m
  matrix:
    - target: virtio
      artifact: [_build/kernel, _build/initrd]
      deploy: true
deploy:
  driver: qemu
  port: 8080
  memory: 128M
  args: ${JSON.stringify(args)}
  publish: ${options.publish}
  health: { http: /, timeout: 60s, interval: 250ms }
  confirm: 2s
  stop_timeout: 5s
  qemu: { accel: tcg }
`;
}

interface VmInstance {
  id: string;
  release: number;
  address: { host: string; port: number };
  handle: { pid: number; startTime: string };
}

function instanceOf(data: string): VmInstance | undefined {
  return readStateFile(data).apps.hello?.instances[0] as VmInstance | undefined;
}

async function waitGone(vm: VmInstance, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isSameProcess(vm.handle.pid, vm.handle.startTime)) return true;
    await sleep(100);
  }
  return false;
}

test("qemu: the agent boots stored releases of the hello image, replaces, refuses a panicking one, adopts", async (t) => {
  const missing =
    findExecutable("qemu-system-x86_64") === undefined ? "qemu-system-x86_64 not on PATH" : undefined;
  if (!requireTier(t, "qemu", missing ?? helloImageMissing())) return;
  const root = tempDir("skiff-qemu-deploy-");
  const appDir = join(root, "app");
  const repo = join(root, "deploy.git");
  const data = join(root, "host");
  const publish = `127.0.0.1:${await freePort()}`;
  const vms: VmInstance[] = [];
  t.after(() => {
    // Every VM this test saw is gone at the end, whatever happened.
    for (const vm of vms) {
      if (isSameProcess(vm.handle.pid, vm.handle.startTime)) process.kill(vm.handle.pid, "SIGKILL");
    }
    // The host's front door outlives the agent by design.
    stopFrontDoorNow(frontDoorDir(data));
  });
  const store = async (options: { version: string; panic?: boolean }): Promise<void> => {
    writeFileSync(join(appDir, "skiff.yml"), virtioYml({ ...options, publish }));
    commitAll(appDir, `release ${options.version}`);
    await skiffOk(["build", "--dir", appDir]);
    await skiffOk(["store", "--to", repo, "--dir", appDir]);
  };
  const agentOnce = () =>
    runSkiff(["agent", "--repo", repo, "--data", data, "--once"], { timeoutMs: 150_000 });

  makeAppRepo(appDir, { skiffYml: virtioYml({ version: "v1", publish }) });
  await store({ version: "v1" });
  const first = await agentOnce();
  assert.equal(first.code, 0, first.stderr);
  const v1 = instanceOf(data);
  assert.ok(v1, "release 1 is recorded as running");
  vms.push(v1);
  assert.equal(v1.release, 1);
  // The health check passed over the forwarded port; the public address serves the same VM.
  assert.match((await httpGet(`http://127.0.0.1:${v1.address.port}/`)).body, /version v1/);
  assert.match(await waitForBody(`http://${publish}/`, "version v1"), /hello from skiff/);

  const logs = await skiffOk(["logs", "hello", "--data", data, "-n", "200"]);
  assert.match(logs.stdout, /skiff-image: booting kernel/);
  assert.match(logs.stdout, /hello: version v1 listening on .*:8080/);

  // Adoption: a new agent on the same data dir finds the VM running and leaves the same qemu process in place.
  const again = await agentOnce();
  assert.equal(again.code, 0, again.stderr);
  assert.ok(
    readEvents(data).some((e) => e.type === "instance.adopted" && e.data?.instance === v1.id),
    "the restarted agent adopted the running VM",
  );
  assert.deepEqual(instanceOf(data)?.handle, v1.handle);
  assert.ok(isSameProcess(v1.handle.pid, v1.handle.startTime), "the same qemu process runs");

  await store({ version: "v2" });
  const second = await agentOnce();
  assert.equal(second.code, 0, second.stderr);
  const v2 = instanceOf(data);
  assert.ok(v2);
  vms.push(v2);
  assert.equal(v2.release, 2);
  assert.match((await httpGet(`http://${publish}/`)).body, /version v2/);
  assert.ok(await waitGone(v1, 15_000), "release 1's VM was stopped");

  // Release 3's kernel panics at boot: qemu exits (-no-reboot), the health check fails, v2 keeps serving.
  await store({ version: "v3", panic: true });
  const third = await agentOnce();
  assert.notEqual(third.code, 0);
  assert.equal(instanceOf(data)?.id, v2.id);
  assert.ok(isSameProcess(v2.handle.pid, v2.handle.startTime), "release 2's VM was never touched");
  assert.match((await httpGet(`http://${publish}/`)).body, /version v2/);
  const failed = readEvents(data).find((e) => e.type === "deploy.failed" && e.release === 3);
  assert.equal(failed?.error?.code, "ERR_SKIFF_INSTANCE_EXITED");

  await skiffOk(["stop", "hello", "--data", data]);
  assert.ok(await waitGone(v2, 15_000), "skiff stop ends the VM");
});
