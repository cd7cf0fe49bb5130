import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { describe, it } from "node:test";
import { buildQemuArgs, type QemuArgsOptions } from "../../src/drivers/qemu/argv.js";
import { parseQemuOptions, selectBootFiles } from "../../src/drivers/qemu/options.js";
import { chooseQmpSocket } from "../../src/drivers/qemu/start.js";
import type { InstanceSpec } from "../../src/drivers/types.js";
import { isSkiffError } from "../../src/errors/index.js";

const BASE: QemuArgsOptions = {
  name: "hello-2-abcd",
  kernel: "/data/releases/hello/2/kernel",
  initrd: "/data/releases/hello/2/initrd",
  args: ["port=8080", "version=2"],
  memoryMiB: 128,
  cpus: 1,
  accel: "tcg",
  hostPort: 41000,
  guestPort: 8080,
  consoleLog: "/data/instances/hello-2-abcd/console.log",
  qmpSocket: "/data/instances/hello-2-abcd/qmp.sock",
  pidFile: "/data/instances/hello-2-abcd/qemu.pid",
};

/** The value following `flag` (the first occurrence, or the n-th). */
function valueOf(argv: string[], flag: string, nth = 0): string | undefined {
  const indexes = argv.flatMap((arg, index) => (arg === flag ? [index] : []));
  const index = indexes[nth];
  return index === undefined ? undefined : argv[index + 1];
}

function spec(files: Record<string, string>, qemu?: unknown): InstanceSpec {
  return {
    id: "hello-1-x",
    app: "hello",
    release: 1,
    files,
    args: [],
    env: {},
    memoryMiB: 64,
    guestPort: 8080,
    hostPort: 1,
    dir: "/tmp",
    options: qemu === undefined ? {} : { qemu },
  };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return isSkiffError(error) ? error.code : "not a SkiffError";
  }
}

describe("qemu argument vector", () => {
  it("boots kernel and initrd with the console first on the kernel command line", () => {
    const argv = buildQemuArgs(BASE);
    assert.equal(valueOf(argv, "-kernel"), BASE.kernel);
    assert.equal(valueOf(argv, "-initrd"), BASE.initrd);
    assert.equal(valueOf(argv, "-append"), "console=ttyS0 panic=1 port=8080 version=2");
    assert.equal(valueOf(argv, "-m"), "128");
    assert.equal(valueOf(argv, "-smp"), "1");
    assert.ok(argv.includes("-no-reboot"));
    assert.ok(argv.includes("-nodefaults"));
  });

  it("forwards 127.0.0.1:hostPort to the guest port over virtio-net", () => {
    const argv = buildQemuArgs(BASE);
    assert.equal(valueOf(argv, "-netdev"), "user,id=n0,hostfwd=tcp:127.0.0.1:41000-:8080");
    assert.equal(valueOf(argv, "-device"), "virtio-net-pci,netdev=n0");
  });

  it("captures the serial console to a file, QMP on a socket, and daemonizes with a pidfile", () => {
    const argv = buildQemuArgs(BASE);
    assert.equal(valueOf(argv, "-chardev", 0), `file,id=console,path=${BASE.consoleLog},append=on`);
    assert.equal(valueOf(argv, "-serial"), "chardev:console");
    assert.equal(valueOf(argv, "-chardev", 1), `socket,id=qmp,path=${BASE.qmpSocket},server=on,wait=off`);
    assert.equal(valueOf(argv, "-mon"), "chardev=qmp,mode=control");
    assert.ok(argv.includes("-daemonize"));
    assert.equal(valueOf(argv, "-pidfile"), BASE.pidFile);
  });

  it("chooses the accelerator: tcg alone, kvm with the host cpu", () => {
    const tcg = buildQemuArgs(BASE);
    assert.equal(valueOf(tcg, "-accel"), "tcg");
    assert.equal(valueOf(tcg, "-cpu"), undefined);
    const kvm = buildQemuArgs({ ...BASE, accel: "kvm" });
    assert.equal(valueOf(kvm, "-accel"), "kvm");
    assert.equal(valueOf(kvm, "-cpu"), "host");
  });

  it("doubles commas in option values so a path cannot add options", () => {
    const argv = buildQemuArgs({ ...BASE, consoleLog: "/tmp/a,server=on/console.log" });
    assert.equal(
      valueOf(argv, "-chardev", 0),
      "file,id=console,path=/tmp/a,,server=on/console.log,append=on",
    );
  });

  it("leaves out -initrd when the release has none", () => {
    const { initrd: _initrd, ...withoutInitrd } = BASE;
    assert.equal(buildQemuArgs(withoutInitrd).includes("-initrd"), false);
  });

  it("puts the QMP socket in the temp dir when the instance dir is too long for a unix socket", () => {
    assert.equal(chooseQmpSocket("/data/i/x"), "/data/i/x/qmp.sock");
    const long = chooseQmpSocket(`/data/${"d".repeat(120)}`);
    assert.ok(long.startsWith(tmpdir()) && Buffer.byteLength(long) < 108, long);
  });
});

describe("deploy.qemu options and boot files", () => {
  it("defaults to accel auto, one cpu, a file named kernel", () => {
    assert.deepEqual(parseQemuOptions(spec({})), { accel: "auto", cpus: 1, kernel: "kernel" });
  });

  it("refuses an unknown accelerator or key with a config error", () => {
    assert.equal(
      codeOf(() => parseQemuOptions(spec({}, { accel: "hvf" }))),
      "ERR_SKIFF_CONFIG_INVALID",
    );
    assert.equal(
      codeOf(() => parseQemuOptions(spec({}, { binary: "/bin/sh" }))),
      "ERR_SKIFF_CONFIG_INVALID",
    );
  });

  it("boots the file named kernel with the initrd beside it, or the only file", () => {
    const options = parseQemuOptions(spec({}));
    assert.deepEqual(selectBootFiles(spec({ kernel: "/r/kernel", initrd: "/r/initrd" }), options), {
      kernel: "/r/kernel",
      initrd: "/r/initrd",
    });
    assert.deepEqual(selectBootFiles(spec({ "hello.virtio": "/r/hello.virtio" }), options), {
      kernel: "/r/hello.virtio",
    });
  });

  it("refuses a release without the kernel or the initrd it names", () => {
    const options = parseQemuOptions(spec({}));
    assert.equal(
      codeOf(() => selectBootFiles(spec({ a: "/r/a", b: "/r/b" }), options)),
      "ERR_SKIFF_DRIVER_START",
    );
    const named = parseQemuOptions(spec({}, { initrd: "rootfs" }));
    assert.equal(
      codeOf(() => selectBootFiles(spec({ kernel: "/r/kernel" }), named)),
      "ERR_SKIFF_DRIVER_START",
    );
  });
});
