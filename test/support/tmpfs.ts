import { execFileSync } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { tempDir } from "./temp.js";
import { requireTier } from "./tiers.js";

/**
 * A size-limited tmpfs mounted on a fresh temp dir (the "tmpfs" tier: needs root, or CAP_SYS_ADMIN);
 * undefined, with the test skipped and the reason said, where mounting is not allowed. The caller
 * unmounts it in a finally (unmountTmpfs).
 */
export function mountTmpfs(t: TestContext, size: string): string | undefined {
  const dir = tempDir("skiff-tmpfs-");
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0755`, "tmpfs", dir], { stdio: "pipe" });
    return dir;
  } catch (error) {
    const reason = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
    requireTier(t, "tmpfs", `mount -t tmpfs is not allowed here (${reason})`);
    return undefined;
  }
}

/**
 * Unmounts a tmpfs of mountTmpfs. "target is busy" is tried again for up to 5 s: a process killed
 * by the test's cleanup can hold its cwd there a moment after its parent is gone (HAProxy's worker
 * exits after its master).
 */
export function unmountTmpfs(dir: string): void {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      execFileSync("umount", [dir], { stdio: "pipe" });
      return;
    } catch (error) {
      const busy = /busy/.test((error as { stderr?: Buffer }).stderr?.toString() ?? "");
      if (!busy || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
}

/** Fills the filesystem of `dir` with a file until `leave` bytes or fewer are free; returns its path. */
export function fillDisk(dir: string, leave = 0, name = "filler"): string {
  const path = join(dir, name);
  const fd = openSync(path, "a");
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) {
      const free = freeBytes(dir);
      if (free <= leave) return path;
      try {
        writeSync(fd, chunk, 0, Math.min(chunk.length, free - leave));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOSPC") return path;
        throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}

export function freeBytes(dir: string): number {
  const out = execFileSync("df", ["--output=avail", "-B1", dir], { encoding: "utf8" });
  return Number(out.trim().split("\n").at(-1));
}
