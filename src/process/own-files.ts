import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Replaced by `true` in the bundle (scripts/bundle.ts, esbuild's define); never defined when
 * skiff runs from tsc's output (dist/src), as the tests do.
 */
declare const __SKIFF_BUNDLE__: boolean | undefined;

/** Whether this code runs from the bundle (dist/bundle) rather than tsc's per-file output (dist/src). */
const RUNS_FROM_BUNDLE = typeof __SKIFF_BUNDLE__ !== "undefined" && __SKIFF_BUNDLE__;

let root: string | undefined;

/** skiff's own folder (where its package.json is): the bundle and tsc's output sit at different depths. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && isSkiffManifest(manifest)) return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no skiff package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function isSkiffManifest(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { name?: unknown }).name === "skiff";
  } catch {
    return false;
  }
}

/**
 * The file to run for one of skiff's own programs, named by its path under src/ without the
 * extension ("proxy/front/main"): its bundle when skiff runs bundled, else tsc's output.
 */
export function ownProgram(name: string): string {
  return join(packageRoot(), "dist", RUNS_FROM_BUNDLE ? "bundle" : "src", `${name}.js`);
}

/** A file shipped beside the code (hooks/, dashboard/), by its path from skiff's folder. */
export function ownFile(path: string): string {
  return join(packageRoot(), path);
}
