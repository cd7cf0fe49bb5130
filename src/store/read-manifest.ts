import { SkiffError } from "../errors/index.js";
import { createProcessReader, type ObjectReader } from "../git/index.js";
import { isRegularFile } from "./app-state.js";
import { MANIFEST_MAX_BYTES, manifestPath } from "./layout.js";
import type { ReleaseManifest } from "./manifest/index.js";
import { readSignedManifest } from "./signed-manifest.js";

export interface ReadManifestOptions {
  /** A local repository holding the commit (the agent's mirror). */
  mirror: string;
  commit: string;
  app: string;
  release: number;
  /** How objects are read (the agent's batch session); default one git process per read. */
  reader?: ObjectReader;
}

/** The manifest and its exact text (what a signature covers). */
export interface ManifestEntry {
  manifest: ReleaseManifest;
  text: string;
}

/** Reads and checks <app>/releases/<N>/manifest.json at `commit`: every target (a v1 one upgraded). */
export async function readManifest(options: ReadManifestOptions): Promise<ReleaseManifest> {
  return (await readManifestEntry(options)).manifest;
}

export async function readManifestEntry(options: ReadManifestOptions): Promise<ManifestEntry> {
  const { app, release } = options;
  const path = manifestPath(app, release);
  const reader = options.reader ?? createProcessReader(options.mirror);
  const entry = (await reader.listTree(options.commit, path)).find((e) => e.path === path);
  if (!entry) {
    throw new SkiffError("ERR_SKIFF_NO_SUCH_RELEASE", `${app} has no release ${release} (no ${path})`, {
      hint: `list the releases with skiff releases ${app} --repo R`,
    });
  }
  const where = { app, release, path };
  if (!isRegularFile(entry)) {
    throw new SkiffError("ERR_SKIFF_MANIFEST_INVALID", `${path} is not a regular file`, {
      hint: storeAgainHint(app),
      data: where,
    });
  }
  if ((entry.size ?? Infinity) > MANIFEST_MAX_BYTES) {
    throw new SkiffError(
      "ERR_SKIFF_MANIFEST_TOO_LARGE",
      `${path} is ${entry.size} bytes, more than ${MANIFEST_MAX_BYTES}`,
      {
        hint: storeAgainHint(app),
        data: where,
      },
    );
  }
  // As before: an unreadable blob reads as empty, which the parser refuses.
  const bytes = await reader.readBlobBytes(entry.object, MANIFEST_MAX_BYTES).catch(() => Buffer.alloc(0));
  const text = bytes.toString("utf8");
  // Plain or signed-envelope manifest.json: one parser (the trust part's), signatures checked by the caller.
  const manifest = readSignedManifest(Buffer.from(text, "utf8"), { app, release });
  return { manifest, text };
}

function storeAgainHint(app: string): string {
  return `store the release again with skiff store, or roll back with skiff rollback ${app} --repo R`;
}
