import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createHostDrivers } from "../../src/agent/index.js";
import { parseConfig } from "../../src/config/index.js";
import { EventBus } from "../../src/events/index.js";
import { stageRelease } from "../../src/stage/index.js";
import {
  changeConfigVars,
  readManifest,
  resignRelease,
  storeRelease,
  syncMirror,
  type StoreInput,
} from "../../src/store/index.js";
import { loadPrivateKey, newKeyPair } from "../../src/trust/index.js";
import { gitSync } from "../support/app-repo.js";
import { FIXTURES } from "../support/paths.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";
import { sha256 } from "./store-input.js";

// What every target of a release keeps through config:set, resign and staging.

const YML = `app: hello
build:
  command: make
  matrix:
    - target: spt
      artifact: _build/spt/hello
      deploy: true
      driver: solo5-spt
      memory: 64M
    - target: unix
      artifact: _build/unix/hello
      deploy: true
deploy:
  driver: unix
  args: ["--port={port}"]
  env: { GREETING: first }
  health: { http: /, timeout: 10s, interval: 100ms }
stage:
  tests: []
`;

/** A build of both targets: the spt one a placeholder, the unix one the serve fixture. */
function twoTargetBuild(dir: string, options: { stage: boolean }): StoreInput {
  const serve = readFileSync(join(FIXTURES, "unikernels", "serve.mjs"), "utf8").replaceAll(
    "__VERSION__",
    "two",
  );
  const artifact = (target: string, text: string) => {
    const path = join(dir, `${target}-hello`);
    writeFileSync(path, text, { mode: 0o755 });
    const bytes = Buffer.from(text);
    return {
      target,
      deploy: true,
      artifacts: [{ name: "hello", path, size: bytes.length, sha256: sha256(bytes), mode: 0o755 }],
    };
  };
  return {
    buildId: "build-two",
    app: "hello",
    commit: "c".repeat(40),
    status: "succeeded",
    durationMs: 1,
    config: parseConfig(options.stage ? YML : YML.replace("stage:\n  tests: []\n", "")),
    targets: [artifact("spt", "SOLO5_MANIFEST={}\n"), artifact("unix", serve)],
  };
}

function storedBlobs(repo: string, release: number): string[] {
  return gitSync(repo, ["ls-tree", "main", `hello/releases/${release}/`])
    .split("\n")
    .filter((line) => line.endsWith(".gz"))
    .map((line) => line.split(/\s+/).slice(2).join(" "));
}

describe("every target of a release is carried along", () => {
  it("config:set and resign keep every target, its files and the extensions", async () => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    const extensions = { "acme.audit": { ticket: 7 } };
    await storeRelease({ to: repo, build: twoTargetBuild(dir, { stage: false }), extensions });
    const mirror = join(dir, "mirror.git");
    const first = await readManifest({
      mirror,
      commit: (await syncMirror({ url: repo, mirror }))!,
      app: "hello",
      release: 1,
    });

    const change = await changeConfigVars({ repo, app: "hello", set: { GREETING: "second" } });
    assert.deepEqual([change.release, change.pointer], [2, "current"]);
    const key = loadPrivateKey(newKeyPair("ed25519").privatePem);
    await resignRelease({ repo, app: "hello", release: 2, keys: [key] });
    const commit = (await syncMirror({ url: repo, mirror }))!;
    const second = await readManifest({ mirror, commit, app: "hello", release: 2 });

    assert.deepEqual(second.targets, first.targets, "the same targets, boot settings and files");
    assert.deepEqual(second.extensions, extensions);
    assert.deepEqual([second.deploy.env, second.imageFrom], [{ GREETING: "second" }, 1]);
    const blobsOf = (release: number) => storedBlobs(repo, release).map((line) => line.split(/\s+/)[0]);
    assert.deepEqual(blobsOf(2), blobsOf(1), "both targets' stored files, the same git blobs");
    assert.equal(blobsOf(1).length, 2);
  });

  it("staging chooses the target as the production agent does: the host's drivers, in the matrix's order", async (t) => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    const data = join(dir, "staging");
    t.after(() => stopHost(data));
    await storeRelease({ to: repo, build: twoTargetBuild(dir, { stage: true }) });
    const mirror = join(dir, "mirror.git");
    const commit = (await syncMirror({ url: repo, mirror }))!;
    const stage = (allow: string[]) =>
      stageRelease({
        data,
        mirror,
        commit,
        app: "hello",
        release: 1,
        events: new EventBus(),
        drivers: createHostDrivers({ allow }),
      });

    const none = await stage(["xen"]);
    assert.ok("unsupported" in none, "a host that runs no target of it gives no verdict");
    assert.equal(none.unsupported.code, "ERR_SKIFF_TARGET_UNSUPPORTED");

    // spt comes first in the matrix, but this host only runs unix: the unix target is staged.
    const record = await stage(["unix"]);
    assert.ok(!("unsupported" in record) && !("hostFault" in record), JSON.stringify(record));
    assert.equal(record.verdict, "passed", record.summary);
    const local = JSON.parse(readFileSync(join(data, "releases", "hello", "1", "manifest.json"), "utf8")) as {
      target: string;
    };
    assert.equal(local.target, "unix");
  });
});
