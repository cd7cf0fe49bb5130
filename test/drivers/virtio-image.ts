import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../support/paths.js";

/** The virtio image of examples/hello that `bash scripts/build-virtio-image.sh` (and .ci/run) builds. */
export const HELLO_IMAGE_DIR = process.env.SKIFF_VIRTIO_IMAGE ?? join(REPO_ROOT, ".cache", "virtio", "hello");
export const HELLO_KERNEL = join(HELLO_IMAGE_DIR, "kernel");
export const HELLO_INITRD = join(HELLO_IMAGE_DIR, "initrd");

/** Why the hello image is missing, or undefined when it is built. */
export function helloImageMissing(): string | undefined {
  if (existsSync(HELLO_KERNEL) && existsSync(HELLO_INITRD)) return undefined;
  return `${HELLO_IMAGE_DIR}/{kernel,initrd} not built: run bash scripts/build-virtio-image.sh`;
}
