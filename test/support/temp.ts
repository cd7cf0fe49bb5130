import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

function removeAll(): void {
  if (process.env.SKIFF_KEEP_TMP === "1") return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
}

/**
 * A temp dir removed when the test file's process exits (keep with SKIFF_KEEP_TMP=1).
 * Not in an after() hook: called inside a test, after() belongs to that test and runs in registration
 * order, so a cleanup registered later (stopHost) found its data dir already gone and leaked processes.
 */
export function tempDir(prefix = "skiff-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // Prepended: before the leak guard's exit check, which reports whatever is still in the temp dir.
  if (made.length === 0) process.prependListener("exit", removeAll);
  made.push(dir);
  return dir;
}
