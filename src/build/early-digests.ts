import { realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { sha256File } from "./sha256-file.js";

/** A sha256 computed while the test step ran, valid only while the file is still what was hashed. */
interface EarlyDigest {
  size: bigint;
  mtimeNs: bigint;
  ino: bigint;
  sha256: Promise<string | undefined>;
}

/** Early digests by the artifact's real path. */
export type EarlyDigests = Map<string, EarlyDigest>;

/**
 * Starts hashing the artifacts the build step left, so the test step's time hides it. Never fails:
 * anything odd (a missing file, a link out of the checkout) is left to collectArtifacts to report.
 */
export async function startEarlyDigests(checkout: string, paths: readonly string[]): Promise<EarlyDigests> {
  const digests: EarlyDigests = new Map();
  for (const path of paths) {
    try {
      const real = await realpath(join(checkout, path));
      const info = await stat(real, { bigint: true });
      if (!info.isFile()) continue;
      const sha256 = sha256File(real).catch(() => undefined);
      digests.set(real, { size: info.size, mtimeNs: info.mtimeNs, ino: info.ino, sha256 });
    } catch {
      // collectArtifacts says what is wrong with it.
    }
  }
  return digests;
}

/** The early sha256 of `real`, or undefined when the file changed after it was hashed (the test step wrote it). */
export async function earlyDigestOf(
  digests: EarlyDigests | undefined,
  real: string,
): Promise<string | undefined> {
  const early = digests?.get(real);
  if (!early) return undefined;
  const sha256 = await early.sha256;
  const now = await stat(real, { bigint: true }).catch(() => undefined);
  const unchanged = now?.size === early.size && now.mtimeNs === early.mtimeNs && now.ino === early.ino;
  return unchanged ? sha256 : undefined;
}

/** Waits for every early digest (so none still reads a checkout that is being removed). */
export async function settleEarlyDigests(digests: Promise<EarlyDigests> | undefined): Promise<void> {
  const settled = await digests;
  await Promise.all([...(settled?.values() ?? [])].map((digest) => digest.sha256));
}
