import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { freePort, waitForBody } from "../support/http.js";
import { REPO_ROOT } from "../support/paths.js";
import { requireTier } from "../support/tiers.js";
import { tempDir } from "../support/temp.js";
import { gitPush, serverSandbox } from "./server-harness.js";

/** The kernel package `bash scripts/build-virtio-image.sh` (npm test, .ci/run) downloaded into .cache/virtio. */
function cachedKernelPackage(): string | undefined {
  const dir = join(REPO_ROOT, ".cache", "virtio");
  const name = existsSync(dir)
    ? readdirSync(dir).find((n) => /^linux-image-.*-cloud-amd64_.*\.deb$/.test(n))
    : undefined;
  return name === undefined ? undefined : join(dir, name);
}

/** examples/hello as the README's quick start copies it: its own repository, one commit, no _build. */
function copyExample(dir: string, publishPort: number): void {
  cpSync(join(REPO_ROOT, "examples", "hello"), dir, {
    recursive: true,
    filter: (source) => !source.split("/").includes("_build"),
  });
  // Its own public port: 8080 may be taken on a machine running the tests.
  const yml = join(dir, "skiff.yml");
  writeFileSync(
    yml,
    readFileSync(yml, "utf8").replace("publish: 127.0.0.1:8080", `publish: 127.0.0.1:${publishPort}`),
  );
  const git = (...args: string[]): void => void execFileSync("git", args, { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "hello");
}

// The example's virtio target downloads a Debian kernel once and keeps it: in the sandbox HOME is
// read-only, so the only place it can keep it is the build cache skiff gives it (SKIFF_CACHE_DIR).
it("examples/hello pushed as the quick start says builds both targets in the sandbox, its kernel kept in the app's build cache", async (t) => {
  const deb = cachedKernelPackage();
  if (
    !requireTier(
      t,
      "qemu",
      deb === undefined
        ? "no kernel package in .cache/virtio: run bash scripts/build-virtio-image.sh"
        : undefined,
    )
  )
    return;
  const sandbox = serverSandbox();
  // A HOME with no .cache: the build must not need one.
  const home = tempDir();
  const server = await sandbox.start([], { HOME: home, XDG_CACHE_HOME: "" });
  // What the first push would download (the tests stay off the network): the package, in the cache.
  const cache = join(server.data, "builds", "hello", "cache", "virtio");
  mkdirSync(cache, { recursive: true });
  copyFileSync(deb!, join(cache, deb!.split("/").at(-1)!));
  const port = await freePort();
  const app = join(tempDir(), "hello");
  copyExample(app, port);
  const push = await gitPush(app, server.gitUrl("hello"));
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stderr, /build virtio ok/);
  assert.doesNotMatch(push.stderr, /downloading/, "the kernel came from the build cache");
  await waitForBody(`http://127.0.0.1:${port}/`, "version 1");
  // The image builder unpacked the package beside it, for the next build.
  assert.ok(
    readdirSync(cache).some((name) => !name.endsWith(".deb")),
    `the unpacked kernel is kept in ${cache}: ${readdirSync(cache).join(", ")}`,
  );
  assert.deepEqual(readdirSync(home), [], "nothing was written to HOME");
});
