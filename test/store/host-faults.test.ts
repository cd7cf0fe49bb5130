import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  SkiffError,
  classifyHostFault,
  classifyProgramFault,
  isRetryableFailure,
  isSkiffError,
} from "../../src/errors/index.js";
import type { SkiffEvent } from "../../src/events/index.js";
import { readManifest, storeRelease, syncMirror, targetView, unpackRelease } from "../../src/store/index.js";
import { commitAll, makeAppRepo, writeFixture } from "../support/app-repo.js";
import { httpGet, waitForBody } from "../support/http.js";
import { runSkiff, skiffOk } from "../support/run-skiff.js";
import { stopHost } from "../support/stop-host.js";
import { tempDir } from "../support/temp.js";
import { fillDisk, freeBytes, mountTmpfs, unmountTmpfs } from "../support/tmpfs.js";
import { makeStoreInput, sha256 } from "./store-input.js";

const MiB = 1024 * 1024;

describe("resource faults are host errors, never a damaged release", () => {
  it("classifies errno faults by what they are, retryable, and leaves every other error alone", () => {
    const fault = (code: string): Error =>
      Object.assign(new Error(`${code}: boom`), { code, path: "/srv/x" });
    const cases: [string, string][] = [
      ["ENOSPC", "ERR_SKIFF_DISK_FULL"],
      ["EDQUOT", "ERR_SKIFF_DISK_FULL"],
      ["EMFILE", "ERR_SKIFF_HOST_RESOURCE"],
      ["ENFILE", "ERR_SKIFF_HOST_RESOURCE"],
      ["ENOMEM", "ERR_SKIFF_HOST_RESOURCE"],
      ["EACCES", "ERR_SKIFF_PERMISSION"],
      ["EPERM", "ERR_SKIFF_PERMISSION"],
      ["EROFS", "ERR_SKIFF_PERMISSION"],
    ];
    for (const [errno, code] of cases) {
      const error = classifyHostFault(fault(errno), { action: "unpacking hello release 3" });
      assert.equal(error?.code, code, errno);
      assert.deepEqual([error.data?.retryable, error.data?.cause, error.data?.errno], [true, "host", errno]);
      assert.match(error.message, /at \/srv\/x while unpacking hello release 3/);
      assert.ok(isRetryableFailure(error.toJSON()));
    }
    // Wrapped as a cause, it is still the host's.
    const wrapped = new Error("write failed", { cause: fault("ENOSPC") });
    assert.equal(classifyHostFault(wrapped)?.code, "ERR_SKIFF_DISK_FULL");
    assert.equal(classifyHostFault(fault("ENOENT")), undefined);
    // A program's failure (git: ERR_SKIFF_GIT with its stderr) names the fault in its output.
    const git = (stderr: string): SkiffError =>
      new SkiffError("ERR_SKIFF_GIT", `git fetch failed: fatal: ${stderr}`);
    const full = classifyProgramFault(git("unable to write loose object file: No space left on device"), {
      path: "/srv/m",
    });
    assert.equal(full?.code, "ERR_SKIFF_DISK_FULL");
    assert.equal(classifyProgramFault(git("Too many open files"))?.code, "ERR_SKIFF_HOST_RESOURCE");
    assert.equal(classifyProgramFault(git("Permission denied (publickey)")), undefined);
    assert.equal(classifyProgramFault(git("repository not found")), undefined);
  });

  it("ENOSPC while unpacking is ERR_SKIFF_DISK_FULL with the path and free space; freed, the same release unpacks", async (t) => {
    const disk = mountTmpfs(t, "3m");
    if (disk === undefined) return;
    try {
      const dir = tempDir();
      const repo = join(dir, "deploy.git");
      const content = randomBytes(MiB + 512 * 1024); // incompressible: 1.5 MiB on disk
      await storeRelease({ to: repo, build: makeStoreInput(join(dir, "b1"), { content }) });
      const mirror = join(dir, "mirror.git");
      const commit = (await syncMirror({ url: repo, mirror }))!;
      const release = await readManifest({ mirror, commit, app: "hello", release: 1 });
      const manifest = targetView(release, release.targets[0]!);
      const dest = join(disk, "releases", "hello", "1");

      const filler = fillDisk(disk, 512 * 1024);
      const error: unknown = await unpackRelease({ mirror, commit, manifest, dest }).then(
        () => assert.fail("unpacked onto a full disk"),
        (e: unknown) => e,
      );
      assert.ok(isSkiffError(error), String(error));
      assert.equal(error.code, "ERR_SKIFF_DISK_FULL");
      assert.match(error.message, new RegExp(`disk is full at ${dest} while unpacking hello release 1`));
      assert.match(error.hint ?? "", /free space on the filesystem of .* free now; this needs 1\.5 MiB/);
      assert.equal(error.data?.retryable, true);
      assert.equal(error.data?.cause, "host");
      assert.equal(error.data?.neededBytes, content.length);
      assert.ok(typeof error.data?.freeBytes === "number" && error.data.freeBytes < content.length);
      assert.deepEqual(readdirSync(join(disk, "releases", "hello")), [], "the partial unpack was removed");

      rmSync(filler);
      const files = await unpackRelease({ mirror, commit, manifest, dest });
      assert.equal(sha256(readFileSync(files.hello!)), sha256(content));
    } finally {
      unmountTmpfs(disk);
    }
  });

  it("ENOSPC while fetching the deployment repository is ERR_SKIFF_DISK_FULL, not a git or URL problem; freed, the fetch goes through", async (t) => {
    const disk = mountTmpfs(t, "3m");
    if (disk === undefined) return;
    try {
      const dir = tempDir();
      const repo = join(dir, "deploy.git");
      // Incompressible: the fetch has 1.5 MiB of objects to write.
      const content = randomBytes(MiB + 512 * 1024);
      await storeRelease({ to: repo, build: makeStoreInput(join(dir, "b1"), { content }) });
      // A URL, as a follower has: git fetch writes the objects (a local path is read in place).
      const url = `file://${repo}`;
      const mirror = join(disk, "mirror.git");
      const filler = fillDisk(disk, 256 * 1024);
      const error: unknown = await syncMirror({ url, mirror }).then(
        () => assert.fail("fetched onto a full disk"),
        (e: unknown) => e,
      );
      assert.ok(isSkiffError(error), String(error));
      assert.equal(error.code, "ERR_SKIFF_DISK_FULL", error.message);
      assert.match(
        error.message,
        new RegExp(`disk is full at ${mirror} while fetching the deployment repository`),
      );
      assert.match(error.hint ?? "", /free space on the filesystem of .* free now/);
      assert.equal(error.data?.retryable, true);

      rmSync(filler);
      const commit = await syncMirror({ url, mirror });
      assert.match(commit ?? "", /^[0-9a-f]{40}$/);
    } finally {
      unmountTmpfs(disk);
    }
  });

  it("the agent on a full disk names the fault (never exit 70) and keeps the running release", async (t) => {
    const disk = mountTmpfs(t, "8m");
    if (disk === undefined) return;
    const root = tempDir("skiff-full-");
    const appDir = join(root, "app");
    const repo = join(root, "deploy.git");
    const data = join(disk, "host");
    try {
      makeAppRepo(appDir, { version: "v1" });
      await skiffOk(["build", "--dir", appDir]);
      await skiffOk(["store", "--to", repo, "--dir", appDir]);
      const once = () => runSkiff(["agent", "--repo", repo, "--data", data, "--once", "--json"]);
      assert.equal((await once()).code, 0);
      const state = JSON.parse(readFileSync(join(data, "state.json"), "utf8")) as {
        apps: { hello: { publicAddress: string } };
      };
      const url = `http://${state.apps.hello.publicAddress}/`;
      assert.equal(await waitForBody(url, "v1"), "v1 hello\n");

      // Release 2 carries 2 MiB of incompressible data; the host has 1 MiB left.
      writeFixture(appDir, "serve", `v2 ${randomBytes(MiB).toString("base64")}`);
      commitAll(appDir, "v2");
      await skiffOk(["build", "--dir", appDir]);
      await skiffOk(["store", "--to", repo, "--dir", appDir]);
      const filler = fillDisk(disk, MiB);
      const unpack = await once();
      assert.notEqual(unpack.code, 70, unpack.stderr);
      assert.doesNotMatch(unpack.stderr, /bug in skiff/);
      const refused = readEvents(data).filter((e) => e.type === "release.refused" && e.release === 2);
      assert.deepEqual(
        refused.map((e) => [e.error?.code, e.error?.data?.retryable, e.error?.data?.cause]),
        [["ERR_SKIFF_DISK_FULL", true, "host"]],
      );
      assert.equal((await httpGet(url)).body, "v1 hello\n");

      // Not a byte left: the agent cannot even take its lock, and says so.
      fillDisk(disk, 0, "filler-2");
      assert.equal(freeBytes(disk), 0);
      const full = await once();
      assert.equal(full.code, 1, full.stderr);
      assert.match(full.stderr, /error ERR_SKIFF_DISK_FULL: the disk is full at .*agent\.lock/);
      assert.doesNotMatch(full.stderr, /bug in skiff/);
      assert.equal((await httpGet(url)).body, "v1 hello\n");
      rmSync(filler);
      rmSync(join(disk, "filler-2"));
      assert.equal(existsSync(join(data, "state.json.tmp")), false);
    } finally {
      stopHost(data);
      unmountTmpfs(disk);
    }
  });
});

function readEvents(data: string): SkiffEvent[] {
  return readFileSync(join(data, "events.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as SkiffEvent];
      } catch {
        return [];
      }
    });
}
