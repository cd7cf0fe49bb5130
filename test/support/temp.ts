import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";

/** A temp dir removed after the current test file (keep with SKIFF_KEEP_TMP=1). */
export function tempDir(prefix = "skiff-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => {
    if (process.env.SKIFF_KEEP_TMP !== "1") rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
