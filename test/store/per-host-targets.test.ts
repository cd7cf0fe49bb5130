import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { SkiffEvent } from "../../src/events/index.js";
import type { ReleaseInfo, StoreResult } from "../../src/store/index.js";
import { commitAll, makeAppRepo, writeFixture } from "../support/app-repo.js";
import { httpGet, waitForBody } from "../support/http.js";
import { FIXTURES } from "../support/paths.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";

// One app, two targets in one release: a unix host and a solo5-spt host (the recording stand-in
// tender, which runs the fake unikernel) each run the target their drivers support.

const SKIFF_YML = `app: hello
build:
  command: mkdir -p _build/$TARGET && sed "s/TARGET_NAME/$TARGET/" server.mjs > _build/$TARGET/hello && chmod +x _build/$TARGET/hello
  timeout: 1m
  matrix:
    - target: unix
      artifact: _build/unix/hello
      deploy: true
    - target: spt
      artifact: _build/spt/hello
      deploy: true
      driver: solo5-spt
      memory: 64M
deploy:
  driver: unix
  port: 8080
  args: ["--port={port}"]
  strategy: recreate
  stop_timeout: 2s
  health: { http: /, timeout: 10s, interval: 100ms }
`;

const root = tempDir("skiff-targets-");
const appDir = join(root, "app");
const repo = join(root, "deploy.git");
const solo5Env = {
  PATH: `${join(FIXTURES, "bin")}:${process.env.PATH ?? ""}`,
  SKIFF_STANDIN_SOLO5_MANIFEST: JSON.stringify({ type: "solo5.manifest", version: 1, devices: [] }),
  SKIFF_STANDIN_MAX_MS: "60000",
};

async function store(version: string, args: string[] = []): Promise<StoreResult> {
  writeFixture(appDir, "serve", `${version}-TARGET_NAME`);
  commitAll(appDir, version);
  await skiffOk(["build", "--dir", appDir]);
  const stored = await skiffOk(["store", "--to", repo, "--dir", appDir, "--json", ...args]);
  return JSON.parse(stored.stdout) as StoreResult;
}

function agentOnce(data: string, args: string[]) {
  return runSkiff(["agent", "--repo", repo, "--data", data, "--once", "--json", ...args], { env: solo5Env });
}

function events(data: string): SkiffEvent[] {
  return readFileSync(join(data, "events.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SkiffEvent);
}

function publicUrl(data: string): string {
  const state = JSON.parse(readFileSync(join(data, "state.json"), "utf8")) as {
    apps: Record<string, { publicAddress?: string }>;
  };
  return `http://${state.apps.hello!.publicAddress!}/`;
}

describe("per-host targets: one release, each host runs the target its drivers support", () => {
  makeAppRepo(appDir, { skiffYml: SKIFF_YML });

  it("a unix host and a solo5-spt host follow one app from one store; --targets chooses", async (t) => {
    const unixHost = join(root, "unix-host");
    const sptHost = join(root, "spt-host");
    const preferring = join(root, "preferring-host");
    for (const data of [unixHost, sptHost, preferring]) t.after(() => stopHost(data));

    const stored = await store("v1");
    assert.deepEqual(stored.targets, ["unix", "spt"]);
    assert.deepEqual(
      stored.manifest.targets.map((target) => [target.target, target.driver, target.files[0]!.stored]),
      [
        ["unix", "unix", "unix.hello.gz"],
        ["spt", "solo5-spt", "spt.hello.gz"],
      ],
    );
    const table = (await skiffOk(["releases", "hello", "--repo", repo])).stdout;
    assert.match(table, /^1\s+\S+\s+[0-9a-f]{7}\s+unix \(unix\), spt \(solo5-spt\)\s+2\.0\s/m);

    const onUnix = await agentOnce(unixHost, ["--drivers", "unix"]);
    assert.equal(onUnix.code, 0, onUnix.stderr);
    assert.equal(await waitForBody(publicUrl(unixHost), "v1-unix"), "v1-unix hello\n");
    const onSpt = await agentOnce(sptHost, ["--drivers", "solo5-spt"]);
    assert.equal(onSpt.code, 0, onSpt.stderr);
    assert.equal(await waitForBody(publicUrl(sptHost), "v1-spt"), "v1-spt hello\n");
    // Only the chosen target's files were unpacked.
    assert.deepEqual(
      readdirSync(join(sptHost, "releases", "hello", "1")).filter((name) => !name.startsWith(".")),
      ["hello", "manifest.json"],
    );
    const local = JSON.parse(
      readFileSync(join(sptHost, "releases", "hello", "1", "manifest.json"), "utf8"),
    ) as {
      target: string;
      driver: string;
      deploy: { memory: string };
    };
    assert.deepEqual([local.target, local.driver, local.deploy.memory], ["spt", "solo5-spt", "64M"]);

    // A host that runs both takes the matrix's first, unless --targets says otherwise.
    const preferred = await agentOnce(preferring, ["--targets", "spt,unix"]);
    assert.equal(preferred.code, 0, preferred.stderr);
    assert.equal(await waitForBody(publicUrl(preferring), "v1-spt"), "v1-spt hello\n");
  });

  it("a release without a target for this host is reported, and what runs keeps running", async (t) => {
    const sptHost = join(root, "spt-only");
    t.after(() => stopHost(sptHost));
    await store("v2");
    assert.equal((await agentOnce(sptHost, ["--drivers", "solo5-spt"])).code, 0);
    assert.equal(await waitForBody(publicUrl(sptHost), "v2-spt"), "v2-spt hello\n");

    // skiff store --targets unix: this release has nothing for a solo5-spt host.
    const unixOnly = await store("v3", ["--targets", "unix"]);
    assert.deepEqual(unixOnly.targets, ["unix"]);
    assert.equal(
      unixOnly.manifest.targets[0]!.files[0]!.stored,
      "hello.gz",
      "one target: plain stored names",
    );
    const refused = await agentOnce(sptHost, ["--drivers", "solo5-spt"]);
    assert.notEqual(refused.code, 0);
    const unsupported = events(sptHost).filter((e) => e.type === "release.unsupported");
    assert.deepEqual(
      unsupported.map((e) => [e.release, e.error?.code]),
      [[unixOnly.release, "ERR_SKIFF_TARGET_UNSUPPORTED"]],
    );
    assert.match(unsupported[0]!.message, /unix \(driver unix: driver unix is not enabled on this host/);
    assert.equal((await httpGet(publicUrl(sptHost))).body, "v2-spt hello\n");

    const listed = JSON.parse(
      (await skiffOk(["releases", "hello", "--repo", repo, "--json"])).stdout,
    ) as ReleaseInfo[];
    assert.deepEqual(listed.at(-1)?.targets, [{ target: "unix", driver: "unix" }]);
    const wrong = await runSkiff(["store", "--to", repo, "--dir", appDir, "--targets", "virtio"]);
    assert.match(wrong.stderr, /ERR_SKIFF_UNKNOWN_TARGET/);
  });
});
