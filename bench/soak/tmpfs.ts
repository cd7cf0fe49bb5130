import { execFileSync } from "node:child_process";
import { open, rm } from "node:fs/promises";
import { join } from "node:path";

const FILLER = "soak-filler";

/** Mounts a size-limited tmpfs on `dir` (needs root); returns why it could not, or undefined. */
export function mountTmpfs(dir: string, size: string): string | undefined {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0755`, "tmpfs", dir], { stdio: "pipe" });
    return undefined;
  } catch (error) {
    return (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
  }
}

/** Unmounts it; a mount still busy (a process with a file open there) is detached lazily. */
export function unmountTmpfs(dir: string): void {
  try {
    execFileSync("umount", [dir], { stdio: "pipe" });
  } catch {
    execFileSync("umount", ["-l", dir], { stdio: "pipe" });
  }
}

/** Writes one file in `dir` until the filesystem refuses (ENOSPC); resolves with the bytes written. */
export async function fillDisk(dir: string): Promise<number> {
  const file = await open(join(dir, FILLER), "a");
  let written = 0;
  try {
    // Megabytes first, then pages: the last partial megabyte is filled too.
    for (const size of [1024 * 1024, 4096]) {
      const chunk = Buffer.alloc(size, 1);
      for (;;) {
        const { bytesWritten } = await file
          .write(chunk, 0, chunk.length)
          .catch((error: NodeJS.ErrnoException) => {
            if (error.code === "ENOSPC") return { bytesWritten: 0 };
            throw error;
          });
        written += bytesWritten;
        if (bytesWritten < chunk.length) break;
      }
    }
  } finally {
    await file.close();
  }
  return written;
}

export async function freeDisk(dir: string): Promise<void> {
  await rm(join(dir, FILLER), { force: true });
}
