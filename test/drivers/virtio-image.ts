import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../support/paths.js";

/** The virtio image of examples/hello that `bash scripts/build-virtio-image.sh` (and .ci/run) builds. */
const BUILT_DIR = process.env.SKIFF_VIRTIO_IMAGE ?? join(REPO_ROOT, ".cache", "virtio", "hello");

/**
 * Where builds read the image from. A build's /tmp is private (its sandbox, docs/reliability.md):
 * when this checkout lives under /tmp (a CI clone in mktemp -d), the tests' builds read a copy in
 * /var/tmp, made once per checkout and image size.
 */
export const HELLO_IMAGE_DIR = BUILT_DIR.startsWith("/tmp/") ? visibleCopy(BUILT_DIR) : BUILT_DIR;
export const HELLO_KERNEL = join(HELLO_IMAGE_DIR, "kernel");
export const HELLO_INITRD = join(HELLO_IMAGE_DIR, "initrd");

function visibleCopy(dir: string): string {
  const files = ["kernel", "initrd"].map((name) => join(dir, name));
  if (!files.every((file) => existsSync(file))) return dir;
  const id = createHash("sha256")
    .update([dir, ...files.map((file) => String(statSync(file).size))].join("\0"))
    .digest("hex")
    .slice(0, 16);
  const copy = join("/var/tmp", `skiff-test-virtio-${id}`);
  mkdirSync(copy, { recursive: true });
  for (const file of files) {
    const target = join(copy, file.slice(dir.length + 1));
    if (!existsSync(target) || statSync(target).size !== statSync(file).size) copyFileSync(file, target);
  }
  return copy;
}

/** Why the hello image is missing, or undefined when it is built. */
export function helloImageMissing(): string | undefined {
  if (existsSync(HELLO_KERNEL) && existsSync(HELLO_INITRD)) return undefined;
  return `${BUILT_DIR}/{kernel,initrd} not built: run bash scripts/build-virtio-image.sh`;
}
