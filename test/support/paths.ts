import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (tests run from dist/test/…). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const FIXTURES = join(REPO_ROOT, "test", "fixtures");
export const SKIFF_BIN = join(REPO_ROOT, "bin", "skiff.js");
/** The CLI from tsc's per-file output (dist/src), run directly: bin/skiff.js runs the bundle. */
export const UNBUNDLED_CLI = join(REPO_ROOT, "dist", "src", "cli", "main.js");
