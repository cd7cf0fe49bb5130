import { SkiffError } from "../../errors/index.js";

/**
 * The stored manifest's format version, "MAJOR.MINOR" (docs/deployment-repository.md):
 * - MINOR grows when a release may carry something an older reader of the same major can ignore
 *   safely: a new documented extension, a new driver or target name (a host that does not know it
 *   skips that target). Readers accept every minor of their major.
 * - MAJOR grows when a core field is added, removed or changes meaning: a reader of another major
 *   cannot run the release correctly, so it refuses it (ERR_SKIFF_MANIFEST_VERSION).
 * Version 1 (written as the number 1, before the format had a minor) embedded skiff.yml's deploy
 * section; it is read forever and upgraded in memory.
 */
export const MANIFEST_MAJOR = 2;
export const MANIFEST_MINOR = 0;
export const MANIFEST_VERSION = `${MANIFEST_MAJOR}.${MANIFEST_MINOR}`;

/** The "2.N" of every minor this skiff reads of its own major. */
export const CURRENT_MAJOR_VERSION = /^2\.(0|[1-9][0-9]{0,3})$/;

export interface ManifestVersion {
  major: number;
  minor: number;
}

/**
 * The version a manifest says it has: 1 (the number) is 1.0; "MAJOR.MINOR" otherwise. A newer
 * major is ERR_SKIFF_MANIFEST_VERSION (upgrade this host); anything else ERR_SKIFF_MANIFEST_INVALID.
 */
export function readManifestVersion(value: unknown): ManifestVersion {
  if (value === 1) return { major: 1, minor: 0 };
  const match = typeof value === "string" ? /^([1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$/.exec(value) : null;
  const major = match ? Number(match[1]) : undefined;
  if (major === MANIFEST_MAJOR) return { major, minor: Number(match![2]) };
  if (major !== undefined && major > MANIFEST_MAJOR) {
    throw new SkiffError(
      "ERR_SKIFF_MANIFEST_VERSION",
      `the manifest has version ${String(value)}, newer than this skiff reads (1 and ${MANIFEST_MAJOR}.x)`,
      {
        hint: "upgrade skiff on this host: the release was stored by a newer skiff whose format this one cannot run",
        data: { version: String(value), reads: ["1", `${MANIFEST_MAJOR}.x`] },
      },
    );
  }
  const shown = typeof value === "number" || typeof value === "string" ? JSON.stringify(value) : "(missing)";
  throw new SkiffError("ERR_SKIFF_MANIFEST_INVALID", `unknown manifest version ${shown}`, {
    hint: `this skiff reads manifest versions 1 and ${MANIFEST_MAJOR}.x; upgrade skiff on this host or store the release with a matching skiff`,
    data: { version: shown },
  });
}
