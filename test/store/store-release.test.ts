import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, it } from "node:test";
import type { SkiffError } from "../../src/errors/index.js";
import {
  ReleaseManifestSchema,
  encodeManifest,
  listReleases,
  readSignedManifest,
  rollback,
  signManifest,
  storeRelease,
  type ReleaseSigner,
} from "../../src/store/index.js";
import {
  encodeEnvelope,
  loadPrivateKey,
  loadPublicKey,
  newKeyPair,
  readSignedPointer,
  signPointerRecord,
} from "../../src/trust/index.js";
import { defaultSkiffYml, gitSync } from "../support/app-repo.js";
import { tempDir } from "../support/temp.js";
import { makeStoreInput, paths, sha256, show, snapshot } from "./store-input.js";

function blob(repo: string, path: string): Buffer {
  return execFileSync("git", ["cat-file", "blob", `main:${path}`], { cwd: repo });
}

describe("storeRelease", () => {
  it("creates a bare repository and commits release 1 with its manifest, gzipped artifact and current", async () => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    const content = Buffer.from("#!/bin/sh\necho unikernel v1\n".repeat(50));
    const build = makeStoreInput(join(dir, "build"), { content });
    const result = await storeRelease({ to: repo, build });

    assert.equal(result.release, 1);
    assert.equal(result.sequence, 1);
    assert.equal(gitSync(repo, ["rev-parse", "--is-bare-repository"]), "true");
    assert.equal(gitSync(repo, ["rev-parse", "main"]), result.commit);
    assert.deepEqual(paths(repo).sort(), [
      "hello/current",
      "hello/releases/1/hello.gz",
      "hello/releases/1/manifest.json",
      "hello/sequence",
    ]);
    assert.equal(blob(repo, "hello/current").toString(), "1\n");
    assert.equal(
      gitSync(repo, ["log", "--format=%s", "main"]),
      `hello: release 1 (${build.commit.slice(0, 7)}, unix)`,
    );

    const stored = blob(repo, "hello/releases/1/hello.gz");
    assert.deepEqual(gunzipSync(stored), content);
    const raw = blob(repo, "hello/releases/1/manifest.json");
    const manifest = ReleaseManifestSchema.parse(JSON.parse(raw.toString()));
    assert.equal(
      encodeManifest(manifest),
      raw.toString(),
      "manifest.json is the stable encoding of the manifest",
    );
    assert.equal(manifest.version, "2.0");
    assert.equal(manifest.app, "hello");
    assert.equal(manifest.release, 1);
    assert.deepEqual(
      manifest.targets.map((t) => [t.target, t.driver, t.memory]),
      [["unix", "unix", "128M"]],
    );
    assert.equal(manifest.deploy.port, 8080);
    assert.equal(manifest.deploy.health.timeout, "10s");
    assert.deepEqual(manifest.source, { repository: build.repository, commit: build.commit, branch: "main" });
    assert.deepEqual(manifest.build, { id: build.buildId, durationMs: 1234 });
    assert.ok(Math.abs(Date.parse(manifest.created) - Date.now()) < 60_000);
    assert.equal(manifest.extensions, undefined);
    assert.deepEqual(manifest.targets[0]!.files, [
      {
        name: "hello",
        size: content.length,
        sha256: sha256(content),
        compression: "gzip",
        stored: "hello.gz",
        storedSize: stored.length,
        mode: 0o755,
      },
    ]);
    assert.deepEqual(result.manifest, manifest);
  });

  it("stores the next build as release 2, makes it current and raises the sequence", async () => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    await storeRelease({ to: repo, build: makeStoreInput(join(dir, "b1"), { content: "one" }) });
    const second = await storeRelease({
      to: repo,
      build: makeStoreInput(join(dir, "b2"), { content: "two" }),
    });
    assert.equal(second.release, 2);
    assert.equal(second.sequence, 2);
    assert.equal(show(repo, "hello/current"), "2");
    assert.equal(show(repo, "hello/sequence"), "2");
    assert.deepEqual(gunzipSync(blob(repo, "hello/releases/2/hello.gz")).toString(), "two");
    assert.deepEqual(gunzipSync(blob(repo, "hello/releases/1/hello.gz")).toString(), "one");
    assert.equal(gitSync(repo, ["rev-list", "--count", "main"]), "2");
  });

  it("works against a file:// URL", async () => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    gitSync(dir, ["init", "--quiet", "--bare", "--initial-branch=main", repo]);
    const url = pathToFileURL(repo).href;
    await storeRelease({ to: url, build: makeStoreInput(join(dir, "b1")) });
    const second = await storeRelease({ to: url, build: makeStoreInput(join(dir, "b2"), { content: "v2" }) });
    assert.equal(second.release, 2);
    assert.equal(second.repository, url);
    assert.equal(show(repo, "hello/current"), "2");
  });

  it("signs manifest and current record through the hook, re-signs current on rollback, refuses an unsigned change", async () => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    const pair = newKeyPair("ed25519");
    const key = loadPrivateKey(pair.privatePem);
    const trust = {
      trusted: [loadPublicKey(pair.publicPem)],
      threshold: 1,
    };
    const sign: ReleaseSigner = {
      encodeManifest: (manifest) => encodeEnvelope(signManifest(manifest, [key])),
      encodePointer: (record) => encodeEnvelope(signPointerRecord(record, [key])),
    };
    const first = await storeRelease({
      to: repo,
      build: makeStoreInput(join(dir, "b1")),
      sign,
      expires: "14d",
    });
    const manifestBytes = blob(repo, "hello/releases/1/manifest.json");
    const manifest = readSignedManifest(manifestBytes, { trust, app: "hello", release: 1 });
    assert.deepEqual(manifest, first.manifest);
    assert.equal((Date.parse(manifest.expires!) - Date.parse(manifest.created)) / 86_400_000, 14);
    const record = readSignedPointer(blob(repo, "hello/current.json"), { trust });
    assert.deepEqual([record.release, record.sequence, record.manifestSha256], [1, 1, sha256(manifestBytes)]);

    await storeRelease({ to: repo, build: makeStoreInput(join(dir, "b2"), { content: "v2" }), sign });
    await rollback({ repo, app: "hello", sign });
    const back = readSignedPointer(blob(repo, "hello/current.json"), { trust });
    assert.deepEqual([back.release, back.sequence, back.manifestSha256], [1, 3, sha256(manifestBytes)]);

    const listed = await listReleases({ repo, app: "hello" });
    assert.equal(listed[0]!.created, manifest.created, "signed manifests are read through their envelope");
    const before = show(repo, "hello/current");
    await assert.rejects(
      storeRelease({ to: repo, build: makeStoreInput(join(dir, "b3"), { content: "v3" }) }),
      (error: SkiffError) => error.code === "ERR_SKIFF_KEY_REQUIRED",
      "an app whose pointers are signed stays signed",
    );
    assert.equal(show(repo, "hello/current"), before);
    assert.equal(paths(repo, "hello/releases/3").length, 0, "the refused store wrote nothing");
  });

  it("refuses a build with no deploy entry, or two stored entries of one driver, before creating anything", async () => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    const none = makeStoreInput(join(dir, "b1"), {
      skiffYml: defaultSkiffYml("hello").replace("deploy: true", "deploy: false"),
    });
    await assert.rejects(storeRelease({ to: repo, build: none }), { code: "ERR_SKIFF_CONFIG_INVALID" });
    const twoYml = defaultSkiffYml("hello").replace(
      "      deploy: true\n",
      "      deploy: true\n    - target: virtio\n      artifact: _build/hello\n      deploy: true\n",
    );
    const two = makeStoreInput(join(dir, "b2"), { skiffYml: twoYml });
    await assert.rejects(storeRelease({ to: repo, build: two }), { code: "ERR_SKIFF_CONFIG_INVALID" });
    assert.equal(existsSync(repo), false);
  });

  it("leaves the repository exactly as it was when an artifact vanished", async () => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    await storeRelease({ to: repo, build: makeStoreInput(join(dir, "b1")) });
    const before = snapshot(repo);
    const build = makeStoreInput(join(dir, "b2"), { content: "v2" });
    rmSync(build.targets[0]!.artifacts[0]!.path);
    await assert.rejects(storeRelease({ to: repo, build }), { code: "ERR_SKIFF_ARTIFACT_MISSING" });
    const changed = makeStoreInput(join(dir, "b3"), { content: "v3" });
    writeFileSync(changed.targets[0]!.artifacts[0]!.path, "v3 but rebuilt behind our back");
    await assert.rejects(storeRelease({ to: repo, build: changed }), { code: "ERR_SKIFF_CHECKSUM_MISMATCH" });
    assert.equal(snapshot(repo), before);
  });

  it("fails without touching anything when the destination is a file, not a repository", async () => {
    const dir = tempDir();
    const file = join(dir, "not-a-repo");
    writeFileSync(file, "hello\n");
    await assert.rejects(storeRelease({ to: file, build: makeStoreInput(join(dir, "b1")) }), {
      code: "ERR_SKIFF_STORE_FAILED",
    });
    assert.equal(execFileSync("cat", [file]).toString(), "hello\n");
  });

  it("leaves the repository unchanged when the push is refused for another reason than a race", async () => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    await storeRelease({ to: repo, build: makeStoreInput(join(dir, "b1")) });
    const before = snapshot(repo);
    writeFileSync(join(repo, "hooks", "pre-receive"), "#!/bin/sh\necho no pushes today >&2\nexit 1\n", {
      mode: 0o755,
    });
    const started = Date.now();
    // Through a URL, the store pushes (a local path is written in place and runs no receive hooks).
    const url = pathToFileURL(repo).href;
    await assert.rejects(
      storeRelease({ to: url, build: makeStoreInput(join(dir, "b2"), { content: "v2" }) }),
      {
        code: "ERR_SKIFF_STORE_FAILED",
      },
    );
    assert.ok(Date.now() - started < 5000, "a refused push is not retried as if it were a race");
    assert.equal(snapshot(repo), before);
  });
});
