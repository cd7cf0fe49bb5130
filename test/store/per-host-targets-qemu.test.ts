import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { findExecutable } from "../../src/process/index.js";
import { isSameProcess } from "../../src/process/index.js";
import { HELLO_INITRD, HELLO_KERNEL, helloImageMissing } from "../drivers/virtio-image.js";
import { makeAppRepo } from "../support/app-repo.js";
import { waitForBody } from "../support/http.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";
import { requireTier } from "../support/tiers.js";

// The qemu tier: one push of a two-target app; a unix host runs the unix build, a qemu host boots
// the virtio image of examples/hello in a real VM.

const SKIFF_YML = `app: hello
build:
  command: mkdir -p _build && cp server.mjs _build/hello && chmod +x _build/hello && cp ${HELLO_KERNEL} _build/kernel && cp ${HELLO_INITRD} _build/initrd
  timeout: 2m
  matrix:
    - target: unix
      artifact: _build/hello
      deploy: true
    - target: virtio
      artifact: [_build/kernel, _build/initrd]
      deploy: true
      driver: qemu
      args: ["port={port}", "version=v1-virtio"]
      qemu: { accel: tcg }
deploy:
  driver: unix
  port: 8080
  args: ["--port={port}"]
  health: { http: /, timeout: 60s, interval: 250ms }
  confirm: 2s
  stop_timeout: 5s
`;

function publicUrl(data: string): string {
  const state = JSON.parse(readFileSync(join(data, "state.json"), "utf8")) as {
    apps: Record<string, { publicAddress?: string }>;
  };
  return `http://${state.apps.hello!.publicAddress!}/`;
}

test("qemu: a unix host and a qemu host follow one two-target app from one store", async (t) => {
  const missing =
    findExecutable("qemu-system-x86_64") === undefined ? "qemu-system-x86_64 not on PATH" : undefined;
  if (!requireTier(t, "qemu", missing ?? helloImageMissing())) return;
  const root = tempDir("skiff-targets-qemu-");
  const appDir = join(root, "app");
  const repo = join(root, "deploy.git");
  const unixHost = join(root, "unix-host");
  const qemuHost = join(root, "qemu-host");
  t.after(() => stopHost(unixHost));
  t.after(() => {
    // A VM is no process group leader: stopped by its pid, whatever happened.
    const vm = vmHandle(qemuHost);
    if (vm && isSameProcess(vm.pid, vm.startTime)) process.kill(vm.pid, "SIGKILL");
    stopHost(qemuHost);
  });

  makeAppRepo(appDir, { skiffYml: SKIFF_YML, version: "v1-unix" });
  await skiffOk(["build", "--dir", appDir]);
  const stored = JSON.parse((await skiffOk(["store", "--to", repo, "--dir", appDir, "--json"])).stdout) as {
    targets: string[];
  };
  assert.deepEqual(stored.targets, ["unix", "virtio"]);

  const agent = (data: string, drivers: string) =>
    runSkiff(["agent", "--repo", repo, "--data", data, "--once", "--drivers", drivers], {
      timeoutMs: 150_000,
    });
  const [onUnix, onQemu] = await Promise.all([agent(unixHost, "unix"), agent(qemuHost, "qemu")]);
  assert.equal(onUnix.code, 0, onUnix.stderr);
  assert.equal(onQemu.code, 0, onQemu.stderr);
  assert.equal(await waitForBody(publicUrl(unixHost), "v1-unix"), "v1-unix hello\n");
  assert.match(await waitForBody(publicUrl(qemuHost), "version v1-virtio"), /hello from skiff/);
  const logs = await skiffOk(["logs", "hello", "--data", qemuHost, "-n", "200"]);
  assert.match(logs.stdout, /skiff-image: booting kernel/);
  await skiffOk(["stop", "hello", "--data", qemuHost]);
});

function vmHandle(data: string): { pid: number; startTime: string } | undefined {
  try {
    const state = JSON.parse(readFileSync(join(data, "state.json"), "utf8")) as {
      apps: Record<string, { instances?: { handle: { pid: number; startTime: string } }[] }>;
    };
    return state.apps.hello?.instances?.[0]?.handle;
  } catch {
    return undefined;
  }
}
