import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createXenDriver } from "../../src/drivers/xen/index.js";
import {
  readMirageManifest,
  readMiragePointers,
  unpackMirageRelease,
} from "../../src/store/mirage-2015/index.js";
import { gitSync } from "../support/app-repo.js";
import { FIXTURES } from "../support/paths.js";
import { tempDir } from "../support/temp.js";

const XL_CONF_IN =
  "name='@VM@'\nmemory='256'\nkernel='@KERNEL@'\nvif=['bridge=xenbr0']\non_crash='restart'\n";
const KERNEL = readFileSync(join(FIXTURES, "unikernels", "serve.mjs"));

function sourceCommitId(seed: string): string {
  return createHash("sha1").update(seed).digest("hex");
}

/** A 2015 deployment repository, scripted as the 2015 CI job and host Makefile did it. */
function makeDeploymentRepo(dir: string): { work: string; mirror: string } {
  const work = join(dir, "mirage-decks-deployment");
  mkdirSync(join(work, "scripts"), { recursive: true });
  gitSync(dir, ["init", "--quiet", "--initial-branch=master", work]);
  writeFileSync(join(work, "xl.conf.in"), XL_CONF_IN);
  writeFileSync(
    join(work, "scripts", "crontab"),
    "*/11 * * * * cd $HOME/mirage-decks-deployment && git pull\n",
  );
  gitSync(work, ["add", "."]);
  gitSync(work, ["commit", "--quiet", "-m", "initial"]);
  return { work, mirror: join(dir, "mirror.git") };
}

/** The store step of the 2015 .travis-ci.sh: copy, bzip2 -9, echo $COMMIT > xen/latest, commit. */
function deploy2015(work: string, id: string, kernel: Buffer = KERNEL): string {
  const folder = join(work, "xen", id);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "mir-decks.xen"), kernel);
  writeFileSync(join(folder, "config.ml"), 'open Mirage\nlet () = register "decks" []\n');
  execFileSync("bzip2", ["-9", join(folder, "mir-decks.xen")]);
  writeFileSync(join(work, "xen", "latest"), `${id}\n`);
  gitSync(work, ["add", "."]);
  gitSync(work, ["commit", "--quiet", "-m", `adding ${id} for xen`]);
  return gitSync(work, ["rev-parse", "HEAD"]);
}

function commitChange(work: string, change: () => void, message: string): string {
  change();
  gitSync(work, ["add", "-A"]);
  gitSync(work, ["commit", "--quiet", "-m", message]);
  return gitSync(work, ["rev-parse", "HEAD"]);
}

function mirrorOf(repo: { work: string; mirror: string }): string {
  rmSync(repo.mirror, { recursive: true, force: true });
  gitSync(repo.work, ["clone", "--quiet", "--bare", repo.work, repo.mirror]);
  return repo.mirror;
}

const sha256 = (bytes: Buffer | string): string => createHash("sha256").update(bytes).digest("hex");

describe("2015 deployment repository reader", () => {
  it("reads xen/latest as a numbered release that grows with each deploy, not with other commits", async () => {
    const repo = makeDeploymentRepo(tempDir());
    const first = deploy2015(repo.work, sourceCommitId("one"));
    const second = deploy2015(repo.work, sourceCommitId("two"));
    const crontabOnly = commitChange(
      repo.work,
      () => writeFileSync(join(repo.work, "scripts", "crontab"), "*/5 * * * * git pull\n"),
      "crontab",
    );
    const mirror = mirrorOf(repo);
    assert.deepEqual(await readMiragePointers({ mirror, commit: first, app: "decks" }), {
      app: "decks",
      current: 1,
      sequence: 1,
      id: sourceCommitId("one"),
    });
    assert.equal((await readMiragePointers({ mirror, commit: second, app: "decks" })).current, 2);
    assert.deepEqual(await readMiragePointers({ mirror, commit: crontabOnly, app: "decks" }), {
      app: "decks",
      current: 2,
      sequence: 2,
      id: sourceCommitId("two"),
    });
  });

  it("synthesises a manifest with the bunzip2'd kernel's size and sha256, and unpacks the same bytes", async () => {
    const dir = tempDir();
    const repo = makeDeploymentRepo(dir);
    const id = sourceCommitId("one");
    const commit = deploy2015(repo.work, id);
    const mirror = mirrorOf(repo);
    const manifest = await readMirageManifest({ mirror, commit, app: "decks" });
    const storedSize = statSync(join(repo.work, "xen", id, "mir-decks.xen.bz2")).size;
    assert.deepEqual(manifest.files, [
      {
        name: "mir-decks.xen",
        size: KERNEL.length,
        sha256: sha256(KERNEL),
        compression: "bzip2",
        stored: "mir-decks.xen.bz2",
        storedSize,
        mode: 0o644,
      },
      {
        name: "xl.conf.in",
        size: XL_CONF_IN.length,
        sha256: sha256(XL_CONF_IN),
        compression: "none",
        stored: "xl.conf.in",
        storedSize: XL_CONF_IN.length,
        mode: 0o644,
      },
    ]);
    assert.equal(manifest.release, 1);
    assert.equal(manifest.driver, "xen");
    assert.equal(manifest.source.commit, id);
    assert.equal(manifest.deploy.memory, "256M");
    assert.equal(manifest.deploy.strategy, "recreate");
    assert.deepEqual(manifest.deploy.xen, {
      toolstack: "xl",
      kernel: "mir-decks.xen",
      template: "xl.conf.in",
    });

    const dest = join(dir, "unpacked", "decks", "1");
    const files = await unpackMirageRelease({ mirror, commit, manifest, dest });
    assert.deepEqual(files, {
      "mir-decks.xen": join(dest, "mir-decks.xen"),
      "xl.conf.in": join(dest, "xl.conf.in"),
    });
    assert.ok(readFileSync(files["mir-decks.xen"]).equals(KERNEL));
    assert.equal(readFileSync(files["xl.conf.in"], "utf8"), XL_CONF_IN);
  });

  it("boots the 2015 release through the xen driver with the repository's own template", async () => {
    const dir = tempDir();
    const repo = makeDeploymentRepo(dir);
    const commit = deploy2015(repo.work, sourceCommitId("one"));
    const mirror = mirrorOf(repo);
    const manifest = await readMirageManifest({
      mirror,
      commit,
      app: "decks",
      deploy: { xen: { address: "10.0.0.2" } },
    });
    const files = await unpackMirageRelease({ mirror, commit, manifest, dest: join(dir, "release") });
    const instanceDir = join(dir, "instance");
    mkdirSync(instanceDir);
    const log = join(dir, "calls.jsonl");
    const driver = createXenDriver({
      env: { ...process.env, PATH: `${join(FIXTURES, "bin")}:${process.env.PATH}`, SKIFF_STANDIN_LOG: log },
    });
    const instance = await driver.start({
      id: "decks-1-aaaa",
      app: "decks",
      release: manifest.release,
      files,
      args: [],
      env: {},
      memoryMiB: 256,
      guestPort: manifest.deploy.port,
      hostPort: 0,
      dir: instanceDir,
      options: { xen: manifest.deploy.xen ?? {} },
    });
    await driver.stop(instance, { graceMs: 1000 });
    const create = JSON.parse(readFileSync(log, "utf8").split("\n")[0]!) as {
      argv: string[];
      config: string;
    };
    assert.deepEqual(create.argv, ["create", join(instanceDir, "xl.conf")]);
    assert.equal(
      create.config,
      `name='decks-1-aaaa'\nmemory='256'\nkernel='${files["mir-decks.xen"]}'\nvif=['bridge=xenbr0']\non_crash='restart'\n`,
    );
  });

  it("gives another driver an executable kernel and takes xm.conf.in as the xm toolstack", async () => {
    const repo = makeDeploymentRepo(tempDir());
    deploy2015(repo.work, sourceCommitId("one"));
    const commit = commitChange(
      repo.work,
      () => gitSync(repo.work, ["mv", "xl.conf.in", "xm.conf.in"]),
      "back to xm",
    );
    const manifest = await readMirageManifest({
      mirror: mirrorOf(repo),
      commit,
      app: "decks",
      driver: "unix",
    });
    assert.equal(manifest.driver, "unix");
    assert.equal(manifest.files[0]?.mode, 0o755);
    assert.equal(manifest.deploy.xen?.toolstack, "xm");
    assert.equal(manifest.files[1]?.name, "xm.conf.in");
  });

  it("refuses an xen/latest that is not a commit id, or links out of xen/ (ERR_SKIFF_PATH_ESCAPE)", async () => {
    const repo = makeDeploymentRepo(tempDir());
    const id = sourceCommitId("one");
    deploy2015(repo.work, id);
    const latest = join(repo.work, "xen", "latest");
    const attacks = [
      commitChange(repo.work, () => writeFileSync(latest, "../../x\n"), "dot-dot"),
      commitChange(repo.work, () => writeFileSync(latest, "/etc\n"), "absolute"),
      commitChange(repo.work, () => writeFileSync(latest, `${id}/../..\n`), "id then dot-dot"),
      commitChange(
        repo.work,
        () => {
          rmSync(latest);
          symlinkSync(`${id}/config.ml`, latest);
        },
        "latest is a symlink",
      ),
      commitChange(
        repo.work,
        () => {
          rmSync(latest);
          writeFileSync(latest, `${sourceCommitId("evil")}\n`);
          symlinkSync("../..", join(repo.work, "xen", sourceCommitId("evil")));
        },
        "release folder is a symlink",
      ),
      commitChange(
        repo.work,
        () => {
          writeFileSync(latest, `${sourceCommitId("two")}\n`);
          mkdirSync(join(repo.work, "xen", sourceCommitId("two")));
          symlinkSync(
            `../${id}/mir-decks.xen.bz2`,
            join(repo.work, "xen", sourceCommitId("two"), "mir-decks.xen.bz2"),
          );
        },
        "kernel is a symlink",
      ),
    ];
    const mirror = mirrorOf(repo);
    for (const commit of attacks) {
      const message = gitSync(repo.work, ["log", "-1", "--format=%s", commit]);
      await assert.rejects(
        readMirageManifest({ mirror, commit, app: "decks" }),
        { code: "ERR_SKIFF_PATH_ESCAPE" },
        message,
      );
    }
  });

  it("refuses a damaged bzip2 kernel, one larger than the limit, and a tampered manifest at unpack", async () => {
    const dir = tempDir();
    const repo = makeDeploymentRepo(dir);
    const id = sourceCommitId("one");
    const good = deploy2015(repo.work, id);
    const damaged = commitChange(
      repo.work,
      () => writeFileSync(join(repo.work, "xen", id, "mir-decks.xen.bz2"), "BZh9 not really"),
      "damaged",
    );
    const mirror = mirrorOf(repo);
    await assert.rejects(readMirageManifest({ mirror, commit: damaged, app: "decks" }), {
      code: "ERR_SKIFF_ARTIFACT_CORRUPT",
    });
    await assert.rejects(readMirageManifest({ mirror, commit: good, app: "decks", maxBytes: 100 }), {
      code: "ERR_SKIFF_SIZE_MISMATCH",
    });
    const manifest = await readMirageManifest({ mirror, commit: good, app: "decks" });
    const tampered = {
      ...manifest,
      files: manifest.files.map((f, i) => (i === 0 ? { ...f, sha256: "0".repeat(64) } : f)),
    };
    const dest = join(dir, "dest");
    await assert.rejects(unpackMirageRelease({ mirror, commit: good, manifest: tampered, dest }), {
      code: "ERR_SKIFF_CHECKSUM_MISMATCH",
    });
    assert.equal(existsSync(dest), false);
  });

  it("a kernel the mirror lacks (a partial copy) is refused with ERR_SKIFF_GIT and a hint, never a crash", async () => {
    const dir = tempDir();
    const repo = makeDeploymentRepo(dir);
    const commit = deploy2015(repo.work, sourceCommitId("one"), randomBytes(64 * 1024));
    gitSync(repo.work, ["config", "uploadpack.allowFilter", "true"]);
    // Blobs above 16 KiB (the kernel) stay behind, and no remote is left to fetch them from lazily.
    gitSync(dir, [
      "clone",
      "--quiet",
      "--bare",
      "--filter=blob:limit=16k",
      `file://${repo.work}`,
      repo.mirror,
    ]);
    gitSync(repo.mirror, ["remote", "remove", "origin"]);
    const dest = join(dir, "release");
    const deploy = async (): Promise<void> => {
      const manifest = await readMirageManifest({ mirror: repo.mirror, commit, app: "decks" });
      await unpackMirageRelease({ mirror: repo.mirror, commit, manifest, dest });
    };
    await assert.rejects(deploy, (error) => {
      const { code, hint } = error as { code?: string; hint?: string };
      assert.equal(code, "ERR_SKIFF_GIT");
      assert.match(hint ?? "", /fsck/);
      return true;
    });
    assert.equal(existsSync(dest), false);
  });
});
