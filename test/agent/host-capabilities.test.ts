import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createHostDrivers, parseDriverList, parseSolo5Devices } from "../../src/agent/index.js";
import type { Availability, Driver } from "../../src/drivers/index.js";
import { unixDriver } from "../../src/drivers/unix/index.js";
import { commitAll, makeAppRepo, writeFixture } from "../support/app-repo.js";
import { freePort, httpGet, waitForBody } from "../support/http.js";
import { FIXTURES } from "../support/paths.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";
import { instanceOf, readEvents, readStateFile, type DeployHost } from "./deploy-host.js";

/** skiff.yml of a release for `driver`; the build copies the fake unikernel to _build/hello. */
function releaseYml(port: number, deploy: string): string {
  return `app: hello
build:
  command: mkdir -p _build && cp server.mjs _build/hello && chmod +x _build/hello
  timeout: 1m
  matrix:
    - target: unix
      artifact: _build/hello
      deploy: true
deploy:
  port: ${port}
  strategy: recreate
  stop_timeout: 2s
  health: { http: /, timeout: 10s, interval: 100ms }
${deploy}
`;
}

async function makeHost(): Promise<DeployHost> {
  const root = tempDir("skiff-host-caps-");
  const port = await freePort();
  const appDir = join(root, "app");
  makeAppRepo(appDir, { skiffYml: releaseYml(port, "  driver: unix") });
  return {
    app: "hello",
    appDir,
    repo: join(root, "deploy.git"),
    data: join(root, "host"),
    port,
    url: `http://127.0.0.1:${port}/`,
  };
}

async function storeRelease(host: DeployHost, version: string, deploy: string): Promise<number> {
  writeFixture(host.appDir, "serve", version);
  writeFileSync(join(host.appDir, "skiff.yml"), releaseYml(host.port, deploy));
  commitAll(host.appDir, `release ${version}`);
  await skiffOk(["build", "--dir", host.appDir]);
  const stored = await skiffOk(["store", "--to", host.repo, "--dir", host.appDir, "--json"]);
  return (JSON.parse(stored.stdout) as { release: number }).release;
}

/** The stand-ins (xl, solo5-*) on PATH, recording into `log`. */
function standinEnv(log: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: `${join(FIXTURES, "bin")}:${process.env.PATH ?? ""}`,
    SKIFF_STANDIN_LOG: log,
    SKIFF_STANDIN_MAX_MS: "60000",
    ...extra,
  };
}

function agentOnce(host: DeployHost, args: string[], env: NodeJS.ProcessEnv = {}) {
  return runSkiff(["agent", "--repo", host.repo, "--data", host.data, "--once", "--json", ...args], { env });
}

interface StatusRow {
  app: string;
  release?: number;
  lastRefusal?: { release?: number; error: { code: string; message: string } };
  lastError?: { code: string; message: string };
}

async function statusOf(host: DeployHost): Promise<StatusRow | undefined> {
  const run = await skiffOk(["status", "--data", host.data, "--json"]);
  return (JSON.parse(run.stdout) as StatusRow[]).find((row) => row.app === host.app);
}

function unsupportedEvents(host: DeployHost, release: number) {
  return readEvents(host.data).filter((e) => e.type === "release.unsupported" && e.release === release);
}

describe("host capabilities (pure parts)", () => {
  it("asks each driver's available() once per agent run and refuses drivers the operator left out", async () => {
    let asked = 0;
    const counting: Driver = {
      ...unixDriver,
      available: (): Promise<Availability> => {
        asked += 1;
        return Promise.resolve({ available: true });
      },
    };
    const drivers = createHostDrivers({ allow: ["unix"], drivers: { unix: counting } });
    assert.equal((await drivers.checkSupport("unix")).available, true);
    assert.equal((await drivers.checkSupport("unix")).available, true);
    assert.equal(asked, 1);
    const qemu = await drivers.checkSupport("qemu");
    assert.equal(qemu.available, false);
    assert.match(qemu.reason ?? "", /not enabled on this host \(skiff agent --drivers unix\)/);
  });

  it("parses --drivers and the solo5 device flags, refusing what cannot be right", () => {
    assert.deepEqual(parseDriverList("unix, qemu"), ["unix", "qemu"]);
    assert.throws(() => parseDriverList("unix,vmware"), { code: "ERR_SKIFF_USAGE" });
    assert.deepEqual(parseSolo5Devices({ net: ["service=tap0"], block: ["storage=/srv/disk.img"] }), {
      net: { service: "tap0" },
      block: { storage: "/srv/disk.img" },
    });
    assert.throws(() => parseSolo5Devices({ net: ["tap0"], block: [] }), { code: "ERR_SKIFF_USAGE" });
    assert.throws(() => parseSolo5Devices({ net: [], block: ["storage=disk.img"] }), {
      code: "ERR_SKIFF_USAGE",
    });
  });
});

describe("host capabilities through skiff agent", () => {
  it("a release for a driver this host cannot run is reported and nothing is stopped, until current changes", async (t) => {
    const host = await makeHost();
    t.after(() => stopHost(host.data));
    const log = join(host.data, "..", "standin.jsonl");
    assert.equal(await storeRelease(host, "v1", "  driver: unix"), 1);
    assert.equal((await agentOnce(host, [])).code, 0);
    assert.equal(await waitForBody(host.url, "v1"), "v1 hello\n");
    const v1 = instanceOf(host);

    // Release 2 is for xen; the host has xl but no hypervisor.
    const xen = `  driver: xen\n  args: ["--port=${host.port}"]\n  xen: { address: "127.0.0.1:${host.port}" }`;
    assert.equal(await storeRelease(host, "v2", xen), 2);
    const noXen = standinEnv(log, { SKIFF_STANDIN_NO_HYPERVISOR: "1" });
    const refused = await agentOnce(host, [], noXen);
    assert.notEqual(refused.code, 0);
    assert.equal((await httpGet(host.url)).body, "v1 hello\n");
    assert.deepEqual(instanceOf(host), v1, "the running instance was not touched");
    const [event] = unsupportedEvents(host, 2);
    // No target of the release runs here: each one is listed with its driver's reason.
    assert.equal(event?.error?.code, "ERR_SKIFF_TARGET_UNSUPPORTED");
    assert.match(event?.message ?? "", /unix \(driver xen: .*xl info failed .*no Xen hypervisor/);
    const status = await statusOf(host);
    assert.equal(status?.release, 1);
    assert.equal(status?.lastError?.code, "ERR_SKIFF_TARGET_UNSUPPORTED");

    // Not retried while current still names release 2.
    assert.equal((await agentOnce(host, [], noXen)).code, 0);
    assert.equal(unsupportedEvents(host, 2).length, 1);

    // Release 3 is for qemu, which the operator did not enable here.
    assert.equal(await storeRelease(host, "v3", "  driver: qemu"), 3);
    const notEnabled = await agentOnce(host, ["--drivers", "unix"]);
    assert.notEqual(notEnabled.code, 0);
    assert.match(unsupportedEvents(host, 3)[0]?.message ?? "", /driver qemu is not enabled on this host/);
    assert.deepEqual(instanceOf(host), v1);

    // current moves to a unix release: deployed.
    assert.equal(await storeRelease(host, "v4", "  driver: unix"), 4);
    const deployed = await agentOnce(host, ["--drivers", "unix"]);
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.equal(await waitForBody(host.url, "v4"), "v4 hello\n");
  });

  it("solo5: a release whose devices the host lacks keeps the old one serving; --solo5-net provides them", async (t) => {
    const host = await makeHost();
    t.after(() => stopHost(host.data));
    const log = join(host.data, "..", "standin.jsonl");
    const manifest = JSON.stringify({
      type: "solo5.manifest",
      version: 1,
      devices: [{ name: "service", type: "NET_BASIC" }],
    });
    const env = standinEnv(log, { SKIFF_STANDIN_SOLO5_MANIFEST: manifest });
    assert.equal(await storeRelease(host, "v1", "  driver: unix"), 1);
    assert.equal((await agentOnce(host, [], env)).code, 0);
    assert.equal(await waitForBody(host.url, "v1"), "v1 hello\n");
    const v1 = instanceOf(host);

    const solo5 = `  driver: solo5-spt\n  memory: 64M\n  args: ["--port={port}"]`;
    assert.equal(await storeRelease(host, "v2", solo5), 2);
    assert.notEqual((await agentOnce(host, [], env)).code, 0);
    assert.equal((await httpGet(host.url)).body, "v1 hello\n");
    assert.deepEqual(instanceOf(host), v1);
    const [event] = unsupportedEvents(host, 2);
    assert.equal(event?.error?.code, "ERR_SKIFF_DEVICES_MISSING");
    assert.deepEqual(event?.error?.data?.missing, ["net:service"]);
    assert.equal((await statusOf(host))?.lastError?.code, "ERR_SKIFF_DEVICES_MISSING");

    assert.equal(await storeRelease(host, "v3", solo5), 3);
    const deployed = await agentOnce(host, ["--solo5-net", "service=tap0"], env);
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.equal(await waitForBody(host.url, "v3"), "v3 hello\n");
    const tender = readCalls(log).find((call) => call.tool === "solo5-spt");
    assert.deepEqual(tender?.argv.slice(0, 3), ["--mem=64", "--net:service=tap0", "--"]);
    // {port} is the host port the agent chose: the guest serves at 127.0.0.1:<host port> (no deploy.solo5.address).
    const address = readStateFile(host.data).apps.hello?.instance as
      { address?: { port: number } } | undefined;
    assert.equal(tender?.argv.at(-1), `--port=${address?.address?.port}`);
  });
});

function readCalls(log: string): { tool: string; argv: string[] }[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { tool: string; argv: string[] });
}
