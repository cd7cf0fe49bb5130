import { resolve } from "node:path";
import type { InstanceSpec } from "./types.js";

/**
 * Set in the environment of every host process a driver starts for an instance (the unix process,
 * qemu, a Solo5 tender) to the instance's folder: an instance whose record could not be written
 * (a full disk) is still found by its folder, and stopped.
 */
export const INSTANCE_MARK_ENV = "SKIFF_INSTANCE_DIR";

/** The mark for `spec`'s processes, to merge into their environment. */
export function instanceMark(spec: Pick<InstanceSpec, "dir">): Record<string, string> {
  return { [INSTANCE_MARK_ENV]: resolve(spec.dir) };
}
