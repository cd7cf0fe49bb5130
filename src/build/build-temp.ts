import { readdirSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlive } from "../process/index.js";

const PREFIX = "skiff-build-";

/**
 * A build's scratch folder (its checkouts): <tempDir>/skiff-build-<pid>-XXXXXX. The pid in the
 * name lets a later build remove what a crashed one left (sweepBuildTemps).
 */
export async function createBuildTemp(tempDir = tmpdir()): Promise<string> {
  await mkdir(tempDir, { recursive: true });
  await sweepBuildTemps(tempDir);
  return mkdtemp(join(tempDir, `${PREFIX}${process.pid}-`));
}

/** Removes the scratch folders of builds whose process is gone (a kill -9, a crash, a reboot). */
export async function sweepBuildTemps(tempDir: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(tempDir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^skiff-build-(\d+)-/.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || isAlive(Number(pid))) continue;
    await rm(join(tempDir, name), { recursive: true, force: true }).catch(() => undefined);
  }
}
