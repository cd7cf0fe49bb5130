import assert from "node:assert/strict";
import {
  existsSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, it } from "node:test";
import {
  readManifest,
  readPointers,
  storeRelease,
  syncMirror,
  targetView,
  unpackRelease,
  type Manifest,
  type ReleaseManifest,
} from "../../src/store/index.js";
import { gitSync } from "../support/app-repo.js";
import { tempDir } from "../support/temp.js";
import { editRepo, makeStoreInput } from "./store-input.js";

const CONTENT = "#!/bin/sh\necho the unikernel\n".repeat(100);

/** A deployment repository with hello release 1, mirrored; returns what the agent would hold. */
async function setup(): Promise<{
  dir: string;
  repo: string;
  mirror: string;
  commit: string;
  manifest: Manifest;
}> {
  const dir = tempDir();
  const repo = join(dir, "deploy.git");
  await storeRelease({ to: repo, build: makeStoreInput(join(dir, "b1"), { content: CONTENT }) });
  const mirror = join(dir, "host", "mirror.git");
  const commit = (await syncMirror({ url: repo, mirror }))!;
  const manifest = viewOf(await readManifest({ mirror, commit, app: "hello", release: 1 }));
  return { dir, repo, mirror, commit, manifest };
}

/** What an agent unpacks: the release's one target. */
function viewOf(release: ReleaseManifest): Manifest {
  return targetView(release, release.targets[0]!);
}

/** Edits release 1 by hand (as an attacker with push access would), then re-syncs the mirror. */
async function tamper(
  env: { dir: string; repo: string; mirror: string },
  edit: (release: string) => void,
): Promise<{ commit: string; manifest: Manifest }> {
  editRepo(env.repo, join(env.dir, `work-${Math.random().toString(36).slice(2)}`), (work) =>
    edit(join(work, "hello", "releases", "1")),
  );
  const commit = (await syncMirror({ url: env.repo, mirror: env.mirror }))!;
  const release = await readManifest({ mirror: env.mirror, commit, app: "hello", release: 1 });
  return { commit, manifest: viewOf(release) };
}

function setStoredSize(release: string, storedSize: number): void {
  const path = join(release, "manifest.json");
  const manifest = JSON.parse(readFileSync(path, "utf8")) as ReleaseManifest;
  manifest.targets[0]!.files[0]!.storedSize = storedSize;
  writeFileSync(path, JSON.stringify(manifest));
}

describe("reading a deployment repository (agent side)", () => {
  it("syncMirror returns undefined for an empty repository and main's commit once there is one", async () => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    gitSync(dir, ["init", "--quiet", "--bare", "--initial-branch=main", repo]);
    const mirror = join(dir, "mirror.git");
    assert.equal(await syncMirror({ url: repo, mirror }), undefined);
    const stored = await storeRelease({ to: repo, build: makeStoreInput(join(dir, "b1")) });
    assert.equal(await syncMirror({ url: repo, mirror }), stored.commit);
    await assert.rejects(syncMirror({ url: join(dir, "missing.git"), mirror }), { code: "ERR_SKIFF_GIT" });
  });

  it("a mirror of a local repository reads its objects in place: a fetch copies no blob", async () => {
    const dir = tempDir();
    const repo = join(dir, "deploy.git");
    await storeRelease({ to: repo, build: makeStoreInput(join(dir, "b1"), { content: CONTENT }) });
    const mirror = join(dir, "mirror.git");
    await syncMirror({ url: repo, mirror });
    const alternates = readFileSync(join(mirror, "objects", "info", "alternates"), "utf8").trim();
    assert.equal(
      alternates,
      gitSync(repo, ["rev-parse", "--path-format=absolute", "--git-path", "objects"]).trim(),
    );
    const stored = await storeRelease({
      to: repo,
      build: makeStoreInput(join(dir, "b2"), { content: CONTENT + "2" }),
    });
    assert.equal(await syncMirror({ url: repo, mirror }), stored.commit);
    // Neither loose objects nor packs: everything is read from the deployment repository.
    assert.match(gitSync(mirror, ["count-objects", "-v"]), /^count: 0$/m);
    assert.match(gitSync(mirror, ["count-objects", "-v"]), /^packs: 0$/m);
    const manifest = await readManifest({ mirror, commit: stored.commit, app: "hello", release: 2 });
    assert.equal(manifest.release, 2);
  });

  it("unpacks a release with the bytes, mode and checksum that were stored, and reuses a verified unpack", async () => {
    const env = await setup();
    const dest = join(env.dir, "host", "releases", "hello-1");
    const files = await unpackRelease({
      mirror: env.mirror,
      commit: env.commit,
      manifest: env.manifest,
      dest,
    });
    assert.deepEqual(files, { hello: join(dest, "hello") });
    assert.equal(readFileSync(files.hello, "utf8"), CONTENT);
    assert.equal(statSync(files.hello).mode & 0o777, 0o755);
    // A verified unpack is reused: no git access is needed the second time.
    const again = await unpackRelease({
      mirror: join(env.dir, "gone.git"),
      commit: env.commit,
      manifest: env.manifest,
      dest,
    });
    assert.deepEqual(again, files);
  });

  it("readPointers reports each app, and a broken current as that app's error", async () => {
    const env = await setup();
    await storeRelease({ to: env.repo, build: makeStoreInput(join(env.dir, "b2"), { app: "other" }) });
    editRepo(env.repo, join(env.dir, "work"), (work) => {
      writeFileSync(join(work, "README.md"), "not an app\n");
      writeFileSync(join(work, "other", "current"), "7\n");
    });
    let commit = (await syncMirror({ url: env.repo, mirror: env.mirror }))!;
    const pointers = await readPointers({ mirror: env.mirror, commit });
    assert.deepEqual(
      pointers.map((p) => p.app),
      ["hello", "other"],
    );
    assert.equal(pointers[0]!.current, 1);
    assert.equal(pointers[0]!.sequence, 1);
    assert.equal(pointers[0]!.error, undefined);
    assert.equal(pointers[1]!.current, undefined);
    assert.equal(pointers[1]!.error?.code, "ERR_SKIFF_CURRENT_INVALID");

    editRepo(env.repo, join(env.dir, "work2"), (work) =>
      writeFileSync(join(work, "hello", "current"), "one\n"),
    );
    commit = (await syncMirror({ url: env.repo, mirror: env.mirror }))!;
    const [hello] = await readPointers({ mirror: env.mirror, commit });
    assert.equal(hello?.error?.code, "ERR_SKIFF_CURRENT_INVALID");
  });

  it("readManifest refuses an invalid, oversized, misplaced or missing manifest", async () => {
    const env = await setup();
    const read = async (commit: string): Promise<unknown> =>
      readManifest({ mirror: env.mirror, commit, app: "hello", release: 1 });
    editRepo(env.repo, join(env.dir, "w1"), (work) => {
      const path = join(work, "hello", "releases", "1", "manifest.json");
      writeFileSync(path, readFileSync(path, "utf8").replace('"release": 1', '"release": 2'));
    });
    let commit = (await syncMirror({ url: env.repo, mirror: env.mirror }))!;
    await assert.rejects(read(commit), { code: "ERR_SKIFF_MANIFEST_INVALID" });
    editRepo(env.repo, join(env.dir, "w2"), (work) =>
      writeFileSync(join(work, "hello", "releases", "1", "manifest.json"), "{ nope"),
    );
    commit = (await syncMirror({ url: env.repo, mirror: env.mirror }))!;
    await assert.rejects(read(commit), { code: "ERR_SKIFF_MANIFEST_INVALID" });
    editRepo(env.repo, join(env.dir, "w3"), (work) =>
      writeFileSync(join(work, "hello", "releases", "1", "manifest.json"), " ".repeat(1024 * 1024 + 1)),
    );
    commit = (await syncMirror({ url: env.repo, mirror: env.mirror }))!;
    await assert.rejects(read(commit), { code: "ERR_SKIFF_MANIFEST_TOO_LARGE" });
    await assert.rejects(readManifest({ mirror: env.mirror, commit, app: "hello", release: 9 }), {
      code: "ERR_SKIFF_NO_SUCH_RELEASE",
    });
  });

  describe("unpackRelease refuses a damaged release and leaves nothing behind", () => {
    const cases: { name: string; code: string; edit: (release: string) => void }[] = [
      {
        name: "a tampered artifact (stored size fixed up, sha256 not)",
        code: "ERR_SKIFF_CHECKSUM_MISMATCH",
        edit: (release) => {
          const evil = gzipSync(Buffer.from(CONTENT.replace("the unikernel", "evil unikern!")));
          writeFileSync(join(release, "hello.gz"), evil);
          setStoredSize(release, evil.length);
        },
      },
      {
        name: "a truncated gzip",
        code: "ERR_SKIFF_ARTIFACT_CORRUPT",
        edit: (release) => {
          const path = join(release, "hello.gz");
          const half = Math.floor(statSync(path).size / 2);
          truncateSync(path, half);
          setStoredSize(release, half);
        },
      },
      {
        name: "a symlink in place of the stored file",
        code: "ERR_SKIFF_ARTIFACT_CORRUPT",
        edit: (release) => {
          unlinkSync(join(release, "hello.gz"));
          symlinkSync("/etc/passwd", join(release, "hello.gz"));
        },
      },
      {
        name: "a stored size that differs from the manifest",
        code: "ERR_SKIFF_SIZE_MISMATCH",
        edit: (release) =>
          writeFileSync(
            join(release, "hello.gz"),
            Buffer.concat([readFileSync(join(release, "hello.gz")), Buffer.from("x")]),
          ),
      },
      {
        name: "an artifact that unpacks to more bytes than the manifest says",
        code: "ERR_SKIFF_SIZE_MISMATCH",
        edit: (release) => {
          const bigger = gzipSync(Buffer.from(CONTENT + "more"));
          writeFileSync(join(release, "hello.gz"), bigger);
          setStoredSize(release, bigger.length);
        },
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const env = await setup();
        const { commit, manifest } = await tamper(env, c.edit);
        const parent = join(env.dir, "host", "releases");
        const dest = join(parent, "hello-1");
        await assert.rejects(unpackRelease({ mirror: env.mirror, commit, manifest, dest }), { code: c.code });
        assert.equal(existsSync(dest), false);
        assert.deepEqual(readdirSync(parent), [], "no temp folder is left beside dest");
      });
    }
  });
});
