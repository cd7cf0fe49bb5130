import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { classifyHostFault } from "../../errors/index.js";

/**
 * Writes a file of the data dir atomically: temp file, fsync, rename. A crash leaves the old or the
 * new file, never half; a full disk leaves the old one as it was and is named (never an exit 70).
 */
export function writeFileDurably(path: string, text: string, action: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, "w");
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw classifyHostFault(error, { path, action }) ?? error;
  }
}
