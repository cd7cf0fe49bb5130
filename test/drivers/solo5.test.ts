import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { buildTenderArgs, createSolo5Driver, planDevices } from "../../src/drivers/solo5/index.js";
import type { Driver, Instance, InstanceSpec } from "../../src/drivers/types.js";
import { FIXTURES } from "../support/paths.js";
import { tempDir } from "../support/temp.js";
import { describeDriverConformance, type SpecContext } from "./conformance.js";
import { fixtureInstanceSpec } from "./fixture-spec.js";

const STANDINS = join(FIXTURES, "bin");
const NET_AND_BLOCK = [
  { name: "service", type: "NET_BASIC" },
  { name: "storage", type: "BLOCK_BASIC" },
];

interface Call {
  tool: string;
  argv: string[];
}

function standinEnv(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${STANDINS}:${process.env.PATH}`,
    SKIFF_STANDIN_LOG: join(dir, "calls.jsonl"),
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

async function waitForTool(dir: string, tool: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (readCalls(dir).some((c) => c.tool === tool)) return;
    await sleep(25);
  }
  throw new Error(`${tool} was not called within 5s`);
}

/** The first log line containing `text`, read through driver.logs(). */
async function waitForLog(driver: Driver, instance: Instance, text: string): Promise<string> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    for await (const line of driver.logs(instance)) if (line.includes(text)) return line;
    await sleep(25);
  }
  throw new Error(`the instance log has no "${text}" within 5s`);
}

/** A fake solo5 unikernel: a file carrying its device manifest where the stand-in elftool finds it. */
function makeSpec(dir: string, devices: unknown[]): InstanceSpec {
  const instanceDir = join(dir, "instance");
  mkdirSync(instanceDir, { recursive: true });
  const unikernel = join(dir, "hello.hvt");
  writeFileSync(
    unikernel,
    `\x7fELF fake\nSOLO5_MANIFEST=${JSON.stringify({ type: "solo5.manifest", version: 1, devices })}\n`,
  );
  return {
    id: "hello-4-ab12",
    app: "hello",
    release: 4,
    files: { "hello.hvt": unikernel },
    args: ["--port=8080", "-l", "debug"],
    env: {},
    memoryMiB: 64,
    guestPort: 8080,
    hostPort: 18080,
    dir: instanceDir,
    options: { solo5: { address: "10.0.0.5" } },
  };
}

describe("solo5 argument vectors (pure)", () => {
  it("attaches each declared device from the host's devices, in manifest order", () => {
    const plan = planDevices(NET_AND_BLOCK, {
      net: { service: "tap0", other: "tap9" },
      block: { storage: "/d/s.img" },
    });
    assert.deepEqual(plan, { deviceArgs: ["--net:service=tap0", "--block:storage=/d/s.img"], missing: [] });
    assert.deepEqual(
      buildTenderArgs({
        memoryMiB: 64,
        deviceArgs: plan.deviceArgs,
        unikernel: "/r/hello.hvt",
        args: ["--port=80"],
      }),
      ["--mem=64", "--net:service=tap0", "--block:storage=/d/s.img", "--", "/r/hello.hvt", "--port=80"],
    );
  });

  it("names every device the host lacks, and a configured disk image that is absent", () => {
    const plan = planDevices(NET_AND_BLOCK, { block: { storage: "/nope.img" } }, () => false);
    assert.deepEqual(plan.missing, ["net:service", "block:storage (/nope.img does not exist)"]);
  });
});

describe("solo5 drivers against recording tender stand-ins", () => {
  it("starts, inspects and stops solo5-hvt with the exact argv", async () => {
    const dir = tempDir();
    const disk = join(dir, "storage.img");
    writeFileSync(disk, "");
    const driver = createSolo5Driver({
      tender: "hvt",
      env: standinEnv(dir),
      devices: { net: { service: "tap0" }, block: { storage: disk } },
    });
    const spec = makeSpec(dir, NET_AND_BLOCK);
    const unikernel = spec.files["hello.hvt"]!;
    const instance = await driver.start(spec);
    await waitForTool(dir, "solo5-hvt");
    assert.deepEqual(
      readCalls(dir).map((c) => [c.tool, ...c.argv]),
      [
        ["solo5-elftool", "query-manifest", unikernel],
        [
          "solo5-hvt",
          "--mem=64",
          "--net:service=tap0",
          `--block:storage=${disk}`,
          "--",
          unikernel,
          "--port=8080",
          "-l",
          "debug",
        ],
      ],
    );
    assert.deepEqual(instance.address, { host: "10.0.0.5", port: 8080 });
    assert.equal(await driver.inspect(instance), "running");
    // A restarted agent (a new driver object) finds the same tender by pid and start time.
    assert.equal(await createSolo5Driver({ tender: "hvt" }).inspect(instance), "running");
    assert.match(await waitForLog(driver, instance, "Solo5: Bindings"), /hvt stand-in/);
    await driver.stop(instance, { graceMs: 2000 });
    assert.equal(await driver.inspect(instance), "exited");
  });

  it("runs solo5-spt for the spt driver", async () => {
    const dir = tempDir();
    const driver = createSolo5Driver({
      tender: "spt",
      env: standinEnv(dir),
      devices: { net: { service: "tap1" } },
    });
    const spec = makeSpec(dir, [{ name: "service", type: "NET_BASIC" }]);
    const instance = await driver.start(spec);
    await waitForTool(dir, "solo5-spt");
    assert.equal(driver.name, "solo5-spt");
    assert.deepEqual(readCalls(dir).find((c) => c.tool === "solo5-spt")?.argv, [
      "--mem=64",
      "--net:service=tap1",
      "--",
      spec.files["hello.hvt"],
      "--port=8080",
      "-l",
      "debug",
    ]);
    await driver.stop(instance, { graceMs: 2000 });
    assert.equal(await driver.inspect(instance), "exited");
  });

  it("preflight refuses a unikernel needing net:service the host lacks, before any tender runs", async () => {
    const dir = tempDir();
    const driver = createSolo5Driver({
      tender: "hvt",
      env: standinEnv(dir),
      devices: { net: { admin: "tap3" } },
    });
    const spec = makeSpec(dir, [{ name: "service", type: "NET_BASIC" }]);
    await assert.rejects(
      driver.preflight!(spec),
      (error: { code?: string; message?: string; data?: { missing?: string[] } }) => {
        assert.equal(error.code, "ERR_SKIFF_DEVICES_MISSING");
        assert.deepEqual(error.data?.missing, ["net:service"]);
        assert.match(error.message ?? "", /net:service/);
        return true;
      },
    );
    await assert.rejects(driver.start(spec), { code: "ERR_SKIFF_DEVICES_MISSING" });
    assert.deepEqual(
      readCalls(dir).map((c) => c.tool),
      ["solo5-elftool", "solo5-elftool"],
    );
  });

  it("refuses a file without a solo5 device manifest", async () => {
    const dir = tempDir();
    const driver = createSolo5Driver({ tender: "hvt", env: standinEnv(dir) });
    const spec = makeSpec(dir, []);
    writeFileSync(spec.files["hello.hvt"]!, "#!/bin/sh\n");
    await assert.rejects(driver.preflight!(spec), { code: "ERR_SKIFF_ARTIFACT_CORRUPT" });
  });

  it("says why not: no tender on PATH, no KVM for hvt, no seccomp for spt", async () => {
    const dir = tempDir();
    const kvm = join(dir, "kvm");
    writeFileSync(kvm, "");
    const env = standinEnv(dir);
    assert.equal(
      (await createSolo5Driver({ tender: "hvt", env, kvmDevice: kvm }).available()).available,
      true,
    );

    const noTender = await createSolo5Driver({
      tender: "hvt",
      env: { PATH: join(dir, "empty") },
      kvmDevice: kvm,
    }).available();
    assert.equal(noTender.available, false);
    assert.match(noTender.reason ?? "", /solo5-hvt not found on PATH/);

    const noKvm = await createSolo5Driver({ tender: "hvt", env, kvmDevice: join(dir, "no-kvm") }).available();
    assert.equal(noKvm.available, false);
    assert.match(noKvm.reason ?? "", /no-kvm does not exist: solo5-hvt needs KVM/);

    const status = join(dir, "status");
    writeFileSync(status, "Name:\tnode\nState:\tR\n");
    const noSeccomp = await createSolo5Driver({ tender: "spt", env, procStatus: status }).available();
    assert.equal(noSeccomp.available, false);
    assert.match(noSeccomp.reason ?? "", /seccomp/);
    writeFileSync(status, "Name:\tnode\nSeccomp:\t0\n");
    assert.equal(
      (await createSolo5Driver({ tender: "spt", env, procStatus: status }).available()).available,
      true,
    );
  });
});

// The shared driver contract, with the tender stand-in running a fake unikernel script as the guest.
const conformanceRoot = tempDir("skiff-solo5-conformance-");
const fakeKvm = join(conformanceRoot, "kvm");
writeFileSync(fakeKvm, "");

function conformanceSpec(context: SpecContext, fixture: string): InstanceSpec {
  return fixtureInstanceSpec(context, {
    root: conformanceRoot,
    fixture,
    version: "solo5-v1",
    fileName: "hello.hvt",
    args: [`--port=${context.hostPort}`],
  });
}

describeDriverConformance("solo5-hvt", {
  makeDriver: () =>
    createSolo5Driver({
      tender: "hvt",
      kvmDevice: fakeKvm,
      env: {
        ...standinEnv(conformanceRoot),
        SKIFF_STANDIN_SOLO5_MANIFEST: JSON.stringify({ type: "solo5.manifest", version: 1, devices: [] }),
      },
    }),
  tier: "solo5-standin",
  makeSpec: (context) => conformanceSpec(context, "serve"),
  makeBadSpec: (context) => conformanceSpec(context, "crash"),
  expectBody: "solo5-v1 hello",
  expectLog: /serving solo5-v1/,
  bootTimeoutMs: 15_000,
  graceMs: 1000,
});
