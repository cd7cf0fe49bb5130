import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import {
  createXenDriver,
  DEFAULT_XL_TEMPLATE,
  parseDomainState,
  renderXlConfig,
} from "../../src/drivers/xen/index.js";
import type { Driver, Instance, InstanceSpec } from "../../src/drivers/types.js";
import { FIXTURES } from "../support/paths.js";
import { tempDir } from "../support/temp.js";
import { describeDriverConformance, type SpecContext } from "./conformance.js";
import { fixtureInstanceSpec } from "./fixture-spec.js";

const STANDINS = join(FIXTURES, "bin");

interface Call {
  tool: string;
  argv: string[];
  config?: string;
}

function standinEnv(dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${STANDINS}:${process.env.PATH}`,
    SKIFF_STANDIN_LOG: join(dir, "calls.jsonl"),
    ...extra,
  };
}

function readCalls(dir: string): Call[] {
  const path = join(dir, "calls.jsonl");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Call);
}

async function waitForCall(dir: string, command: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (readCalls(dir).some((c) => c.argv[0] === command)) return;
    await sleep(25);
  }
  throw new Error(`no ${command} call recorded within 5s`);
}

/** The instance log through driver.logs(), once the console has written something. */
async function waitForLogLines(driver: Driver, instance: Instance): Promise<string[]> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const lines: string[] = [];
    for await (const line of driver.logs(instance)) lines.push(line);
    if (lines.length > 0) return lines;
    await sleep(25);
  }
  throw new Error("the console wrote nothing within 5s");
}

function makeSpec(dir: string, options: Record<string, unknown>, id = "hello-3-k2j4"): InstanceSpec {
  const instanceDir = join(dir, "instance");
  mkdirSync(instanceDir, { recursive: true });
  const kernel = join(dir, "mir-hello.xen");
  writeFileSync(kernel, "not really a kernel");
  return {
    id,
    app: "hello",
    release: 3,
    files: { "mir-hello.xen": kernel },
    args: [],
    env: {},
    memoryMiB: 256,
    guestPort: 80,
    hostPort: 0,
    dir: instanceDir,
    options: { xen: options },
  };
}

describe("xen config rendering", () => {
  it("renders the default template (golden text)", () => {
    const text = renderXlConfig(DEFAULT_XL_TEMPLATE, {
      name: "hello-3-k2j4",
      kernel: "/var/lib/skiff/hello/3/mir-hello.xen",
      memoryMiB: 256,
      args: ["--ipv4=10.0.0.2/24", "--port=80"],
      disks: ["format=raw, vdev=xvda, access=rw, target=/srv/hello.img"],
    });
    assert.equal(
      text,
      `name='hello-3-k2j4'
memory='256'
kernel='/var/lib/skiff/hello/3/mir-hello.xen'
extra='--ipv4=10.0.0.2/24 --port=80'
vif=['bridge=xenbr0']
disk=['format=raw, vdev=xvda, access=rw, target=/srv/hello.img']
on_crash='preserve'
`,
    );
  });

  it("fills a 2015 template's @VM@ and leaves an empty @DISK@ line", () => {
    const template = "name='@VM@'\nmemory='256'\nkernel='@KERNEL@'\n@DISK@\n";
    const text = renderXlConfig(template, {
      name: "decks",
      kernel: "/k/mir-decks.xen",
      memoryMiB: 1,
      args: [],
      disks: [],
    });
    assert.equal(text, "name='decks'\nmemory='256'\nkernel='/k/mir-decks.xen'\n\n");
  });

  it("escapes quotes and backslashes so no value leaves its quotes, and never re-expands placeholders", () => {
    const text = renderXlConfig("name='@NAME@'\nkernel=\"@KERNEL@\"\n", {
      name: "a'; on_crash='restart",
      kernel: '/k/x\\"@NAME@',
      memoryMiB: 1,
      args: [],
      disks: [],
    });
    assert.equal(text, "name='a\\'; on_crash=\\'restart'\nkernel=\"/k/x\\\\\\\"@NAME@\"\n");
  });

  it("refuses a value with a newline (ERR_SKIFF_UNSAFE_VALUE)", () => {
    assert.throws(
      () =>
        renderXlConfig(DEFAULT_XL_TEMPLATE, {
          name: "x",
          kernel: "/k",
          memoryMiB: 1,
          args: ["a\nb"],
          disks: [],
        }),
      (error: { code?: string }) => error.code === "ERR_SKIFF_UNSAFE_VALUE",
    );
    assert.throws(
      () =>
        renderXlConfig(DEFAULT_XL_TEMPLATE, {
          name: "x\non_crash='restart'",
          kernel: "/k",
          memoryMiB: 1,
          args: [],
          disks: [],
        }),
      (error: { code?: string }) => error.code === "ERR_SKIFF_UNSAFE_VALUE",
    );
    assert.throws(
      () =>
        renderXlConfig(DEFAULT_XL_TEMPLATE, {
          name: "x",
          kernel: "/k",
          memoryMiB: 1,
          args: ["--ok"],
          disks: ["target=/a\n"],
        }),
      (error: { code?: string }) => error.code === "ERR_SKIFF_UNSAFE_VALUE",
    );
  });
});

describe("xl list state", () => {
  it("counts a crashed or shut-down domain as stopped, a blocked one as running", () => {
    const list = (name: string, flags: string): string =>
      `Name                                        ID   Mem VCPUs\tState\tTime(s)\n${name}   5   256     1     ${flags}      0.3\n`;
    assert.equal(parseDomainState(list("hello-1", "-b----"), "hello-1"), "running");
    assert.equal(parseDomainState(list("hello-1", "r-----"), "hello-1"), "running");
    assert.equal(parseDomainState(list("hello-1", "----c-"), "hello-1"), "stopped");
    assert.equal(parseDomainState(list("hello-1", "---s--"), "hello-1"), "stopped");
    assert.equal(parseDomainState(list("hello-1", "-----d"), "hello-1"), "stopped");
  });
});

describe("xen driver against the recording xl stand-in", () => {
  it("creates, inspects and stops a domain with exact argument vectors and the rendered config", async () => {
    const dir = tempDir();
    const driver = createXenDriver({ env: standinEnv(dir) });
    const spec = makeSpec(dir, { address: "10.0.0.2" });
    const instance = await driver.start(spec);
    await waitForCall(dir, "console");
    const configPath = join(spec.dir, "xl.conf");
    assert.deepEqual(
      readCalls(dir).map((c) => [c.tool, ...c.argv]),
      [
        ["xl", "create", configPath],
        ["xl", "console", "hello-3-k2j4"],
      ],
    );
    assert.equal(
      readCalls(dir)[0]?.config,
      `name='hello-3-k2j4'\nmemory='256'\nkernel='${join(dir, "mir-hello.xen")}'\nextra=''\nvif=['bridge=xenbr0']\n\non_crash='preserve'\n`,
    );
    assert.deepEqual(instance.address, { host: "10.0.0.2", port: 80 });
    assert.equal(await driver.inspect(instance), "running");
    assert.deepEqual(readCalls(dir).at(-1)?.argv, ["list", "hello-3-k2j4"]);

    assert.deepEqual(await waitForLogLines(driver, instance), [
      "xl console of hello-3-k2j4: MirageOS booting",
    ]);

    const before = readCalls(dir).length;
    await driver.stop(instance, { graceMs: 2000 });
    const stopCalls = readCalls(dir)
      .slice(before)
      .map((c) => c.argv.join(" "));
    assert.deepEqual(stopCalls, [
      "list hello-3-k2j4",
      "shutdown hello-3-k2j4",
      "list hello-3-k2j4",
      "list hello-3-k2j4",
    ]);
    assert.equal(await driver.inspect(instance), "exited");
  });

  it("destroys a guest that ignores shutdown once the grace period is over", async () => {
    const dir = tempDir();
    const driver = createXenDriver({ env: standinEnv(dir, { SKIFF_STANDIN_IGNORE_SHUTDOWN: "1" }) });
    const instance = await driver.start(makeSpec(dir, { address: "10.0.0.2:8080" }));
    const started = Date.now();
    await driver.stop(instance, { graceMs: 300 });
    assert.ok(Date.now() - started >= 300);
    const commands = readCalls(dir)
      .map((c) => c.argv[0])
      .filter((c) => c !== "list" && c !== "console");
    assert.deepEqual(commands, ["create", "shutdown", "destroy"]);
    assert.equal(await driver.inspect(instance), "exited");
  });

  it("uses xm when deploy.xen.toolstack is xm, and a template shipped in the release", async () => {
    const dir = tempDir();
    const driver = createXenDriver({ env: standinEnv(dir) });
    const spec = makeSpec(dir, { address: "10.0.0.2", toolstack: "xm" });
    const templatePath = join(dir, "xm.conf.in");
    writeFileSync(templatePath, "name='@VM@'\nmemory='@MEMORY@'\nkernel='@KERNEL@'\non_crash='restart'\n");
    spec.files["xm.conf.in"] = templatePath;
    const instance = await driver.start(spec);
    await driver.stop(instance, { graceMs: 1000 });
    const calls = readCalls(dir);
    assert.ok(calls.every((c) => c.tool === "xm"));
    assert.deepEqual(calls[0]?.argv, ["create", join(spec.dir, "xm.conf")]);
    assert.equal(
      calls[0]?.config,
      `name='hello-3-k2j4'\nmemory='256'\nkernel='${join(dir, "mir-hello.xen")}'\non_crash='restart'\n`,
    );
  });

  it("refuses an unsafe domain name and a missing address before running anything", async () => {
    const dir = tempDir();
    const driver = createXenDriver({ env: standinEnv(dir) });
    await assert.rejects(driver.start(makeSpec(dir, { address: "10.0.0.2" }, "evil\nname")), {
      code: "ERR_SKIFF_UNSAFE_VALUE",
    });
    await assert.rejects(driver.preflight!(makeSpec(dir, {})), { code: "ERR_SKIFF_CONFIG_INVALID" });
    assert.deepEqual(readCalls(dir), []);
  });

  it("is available with the stand-in, and says why not without xl or without a hypervisor", async () => {
    const dir = tempDir();
    assert.deepEqual(await createXenDriver({ env: standinEnv(dir) }).available(), {
      available: true,
      details: { toolstack: "xl" },
    });
    const noTools = await createXenDriver({ env: { ...process.env, PATH: join(dir, "empty") } }).available();
    assert.equal(noTools.available, false);
    assert.match(noTools.reason ?? "", /xl is not on PATH/);
    const noHypervisor = await createXenDriver({
      env: standinEnv(dir, { SKIFF_STANDIN_NO_HYPERVISOR: "1" }),
    }).available();
    assert.equal(noHypervisor.available, false);
    assert.match(noHypervisor.reason ?? "", /xl info failed .*no Xen hypervisor/);
  });
});

// The shared driver contract, with the xl stand-in running a fake unikernel script as the guest
// (xen guests own their address: here deploy.xen.address is 127.0.0.1:<host port>).
const conformanceRoot = tempDir("skiff-xen-conformance-");

function conformanceSpec(context: SpecContext, fixture: string): InstanceSpec {
  return fixtureInstanceSpec(context, {
    root: conformanceRoot,
    fixture,
    version: "xen-v1",
    fileName: "hello.xen",
    args: [`--port=${context.hostPort}`],
    options: { xen: { address: `127.0.0.1:${context.hostPort}` } },
  });
}

describeDriverConformance("xen", {
  makeDriver: () => createXenDriver({ env: standinEnv(conformanceRoot) }),
  tier: "xen-standin",
  makeSpec: (context) => conformanceSpec(context, "serve"),
  makeBadSpec: (context) => conformanceSpec(context, "crash"),
  expectBody: "xen-v1 hello",
  expectLog: /serving xen-v1/,
  bootTimeoutMs: 15_000,
  graceMs: 1000,
});
