import assert from "node:assert/strict";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { SkiffError } from "../../src/errors/index.js";
import {
  MANIFEST_MAX_BYTES,
  MAX_FILES,
  readManifest,
  storeRelease,
  syncMirror,
  type StoreInput,
  type StoreOptions,
} from "../../src/store/index.js";
import { MAX_JSON_DEPTH } from "../../src/trust/index.js";
import { gitSync } from "../support/app-repo.js";
import { tempDir } from "../support/temp.js";
import { makeStoreInput, sha256, snapshot } from "./store-input.js";

// The store refuses what agents would refuse: each limit at its value is stored and read back by the
// agent's reader; one past it is refused before anything is committed.

/** Stores `build` into a fresh repository; the agent's reader reads it back. */
async function storeAndRead(build: StoreInput): Promise<number> {
  const dir = tempDir();
  const repo = join(dir, "deploy.git");
  await storeRelease({ to: repo, build });
  const mirror = join(dir, "mirror.git");
  const commit = (await syncMirror({ url: repo, mirror }))!;
  await readManifest({ mirror, commit, app: "hello", release: 1 });
  return Buffer.byteLength(gitSync(repo, ["cat-file", "blob", "main:hello/releases/1/manifest.json"]) + "\n");
}

/** A repository with release 1; storing `build` must be refused with `code`, leaving it as it was. */
async function assertRefused(
  build: StoreInput,
  code: string,
  options: Partial<StoreOptions> = {},
): Promise<SkiffError> {
  const dir = tempDir();
  const repo = join(dir, "deploy.git");
  await storeRelease({ to: repo, build: makeStoreInput(join(dir, "first")) });
  const before = snapshot(repo);
  let refused: SkiffError | undefined;
  await storeRelease({ ...options, to: repo, build }).catch((error: SkiffError) => (refused = error));
  assert.equal(refused?.code, code, refused?.message);
  assert.equal(snapshot(repo), before, "nothing was committed");
  return refused;
}

function withEnvPadding(build: StoreInput, length: number): StoreInput {
  build.config.deploy.env = { PAD: "x".repeat(length) };
  return build;
}

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: "x" };
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

function depthOf(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

/** A build whose one target has `count` small artifact files. */
function withFiles(dir: string, count: number): StoreInput {
  const build = makeStoreInput(join(dir, "base"));
  const files = join(dir, "files");
  mkdirSync(files, { recursive: true });
  const artifacts = Array.from({ length: count }, (_, i) => {
    const path = join(files, `f${i}`);
    const bytes = Buffer.from(`file ${i}\n`);
    writeFileSync(path, bytes);
    chmodSync(path, 0o644);
    return { name: `f${i}`, path, size: bytes.length, sha256: sha256(bytes), mode: 0o644 };
  });
  return { ...build, targets: [{ target: "unix", deploy: true, artifacts }] };
}

describe("the store refuses what agents would refuse", () => {
  it(`a manifest of exactly ${MANIFEST_MAX_BYTES} bytes is stored and read; one byte more is refused`, async () => {
    const dir = tempDir();
    const probe = await storeAndRead(withEnvPadding(makeStoreInput(join(dir, "probe")), 1000));
    const fits = 1000 + (MANIFEST_MAX_BYTES - probe);
    assert.equal(
      await storeAndRead(withEnvPadding(makeStoreInput(join(dir, "fits")), fits)),
      MANIFEST_MAX_BYTES,
    );
    const error = await assertRefused(
      withEnvPadding(makeStoreInput(join(dir, "over")), fits + 1),
      "ERR_SKIFF_MANIFEST_TOO_LARGE",
    );
    assert.match(error.message, /hello release 2 was not stored: agents would refuse its manifest/);
    assert.match(error.hint ?? "", /docs\/deployment-repository\.md/);
  });

  it(`${MAX_FILES} files in a target are stored; ${MAX_FILES + 1} are refused`, async () => {
    const dir = tempDir();
    await storeAndRead(withFiles(join(dir, "fits"), MAX_FILES));
    await assertRefused(withFiles(join(dir, "over"), MAX_FILES + 1), "ERR_SKIFF_MANIFEST_INVALID");
  });

  it(`driver settings nesting to ${MAX_JSON_DEPTH} levels in the manifest are stored; one more is refused`, async () => {
    const dir = tempDir();
    // The manifest object, targets and the target are three levels; deploy.qemu starts the fourth.
    const fits = makeStoreInput(join(dir, "fits"));
    fits.config.deploy.qemu = nested(MAX_JSON_DEPTH - 3);
    const repo = join(dir, "fits.git");
    await storeRelease({ to: repo, build: fits });
    const text = gitSync(repo, ["cat-file", "blob", "main:hello/releases/1/manifest.json"]);
    assert.equal(depthOf(JSON.parse(text)), MAX_JSON_DEPTH, "the stored manifest is at the limit");
    await storeAndRead(fits);
    const over = makeStoreInput(join(dir, "over"));
    over.config.deploy.qemu = nested(MAX_JSON_DEPTH - 2);
    const error = await assertRefused(over, "ERR_SKIFF_MANIFEST_INVALID");
    assert.match(error.message, /nests deeper than 32 levels/);
  });

  it("a stored file name of 128 characters is stored; 129 are refused", async () => {
    const dir = tempDir();
    const named = (name: string, where: string): StoreInput => {
      const build = makeStoreInput(join(dir, where));
      const artifact = build.targets[0]!.artifacts[0]!;
      return { ...build, targets: [{ ...build.targets[0]!, artifacts: [{ ...artifact, name }] }] };
    };
    // Stored as <name>.gz.
    await storeAndRead(named("n".repeat(125), "fits"));
    await assertRefused(named("n".repeat(126), "over"), "ERR_SKIFF_MANIFEST_INVALID");
  });

  it("a manifest that would already have expired is refused", async () => {
    const build = makeStoreInput(join(tempDir(), "b"));
    const error = await assertRefused(build, "ERR_SKIFF_EXPIRED", { expires: "2001-01-01T00:00:00Z" });
    assert.match(error.message, /agents would refuse its manifest/);
  });
});
