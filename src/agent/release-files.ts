import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { classifyHostFault } from "../errors/index.js";
import type { ObjectReader } from "../git/index.js";
import { ManifestSchema, type Manifest } from "../store/manifest-schema.js";
import { readManifest, selectHostTarget, unpackRelease } from "../store/index.js";
import { createHostDrivers, type HostDrivers } from "./host-capabilities.js";

/** A release checked and unpacked on this host: its manifest and file name → absolute path. */
export interface PreparedRelease {
  manifest: Manifest;
  dir: string;
  files: Record<string, string>;
}

export function releaseDir(data: string, app: string, release: number): string {
  return join(data, "releases", app, String(release));
}

/**
 * Reads the release from the mirror, chooses the target this host runs (its drivers, --targets),
 * checks every size and sha256 of that target's files and unpacks them into
 * <data>/releases/<app>/<N>, before anything running is touched. Throws the store's refusal.
 */
export async function prepareRelease(options: {
  data: string;
  mirror: string;
  commit: string;
  app: string;
  release: number;
  /** The pass's reads of the mirror (one cat-file session); default one git process per read. */
  reader?: ObjectReader;
  /** This host's drivers and --targets; default every driver skiff knows. */
  drivers?: HostDrivers;
}): Promise<PreparedRelease> {
  const reader = options.reader === undefined ? {} : { reader: options.reader };
  const stored = await readManifest({
    mirror: options.mirror,
    commit: options.commit,
    app: options.app,
    release: options.release,
    ...reader,
  });
  const manifest = await selectHostTarget(stored, options.drivers ?? createHostDrivers());
  const dir = releaseDir(options.data, options.app, options.release);
  // unpackRelease checks every size and sha256 and swaps the folder in only when all pass.
  const unpacked = await unpackRelease({
    mirror: options.mirror,
    commit: options.commit,
    manifest,
    dest: dir,
    ...reader,
  });
  writeLocalManifest(dir, manifest);
  return { manifest, dir, files: unpacked };
}

/** Kept beside the unpacked files, so a rollback or restart needs neither the network nor the mirror. */
export function writeLocalManifest(dir: string, manifest: Manifest): void {
  const temp = join(dir, `.manifest-${randomBytes(3).toString("hex")}.tmp`);
  try {
    writeFileSync(temp, JSON.stringify(manifest, null, 2) + "\n");
    renameSync(temp, join(dir, "manifest.json"));
  } catch (error) {
    rmSync(temp, { force: true });
    throw (
      classifyHostFault(error, {
        path: dir,
        action: `writing ${manifest.app} release ${manifest.release}`,
      }) ?? error
    );
  }
}

/** A release unpacked here before (the one to roll back to or restart), or undefined when it is gone. */
export function loadLocalRelease(data: string, app: string, release: number): PreparedRelease | undefined {
  const dir = releaseDir(data, app, release);
  const manifestPath = join(dir, "manifest.json");
  if (!existsSync(manifestPath)) return undefined;
  const parsed = ManifestSchema.safeParse(JSON.parse(readFileSync(manifestPath, "utf8")));
  if (!parsed.success) return undefined;
  const files = Object.fromEntries(parsed.data.files.map((f) => [f.name, join(dir, f.name)]));
  if (!Object.values(files).every((path) => existsSync(path))) return undefined;
  return { manifest: parsed.data, dir, files };
}
