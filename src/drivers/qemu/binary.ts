import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

export const QEMU_BINARY = "qemu-system-x86_64";

/** The absolute path of `name` on PATH (or `name` itself when absolute and executable). */
export function findExecutable(name: string, path = process.env.PATH ?? ""): string | undefined {
  const candidates = isAbsolute(name)
    ? [name]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here: try the next PATH entry
    }
  }
  return undefined;
}
