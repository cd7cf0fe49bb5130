import { createPublicKey } from "node:crypto";
import { SkiffError } from "../errors/index.js";
import { redactUrl } from "../git/index.js";
import { verifyEnvelope, parseEnvelope, type PrivateKey } from "../trust/index.js";
import { pointerRelease, readSmallFile, type AppState } from "./app-state.js";
import { MANIFEST_MAX_BYTES, manifestPath } from "./layout.js";
import type { ReleaseManifest } from "./manifest/index.js";
import { readSignedManifest } from "./signed-manifest.js";

/** The release `current` names (or `release` when given), checked to exist in `state`. */
export function pickRelease(state: AppState, release: number | undefined, url: string): number {
  const picked = release ?? pointerRelease(state.currentText);
  if (state.releases.length === 0 || picked === undefined) {
    throw new SkiffError(
      "ERR_SKIFF_NO_SUCH_APP",
      `${redactUrl(url)} has no current release of ${state.app}`,
      {
        hint: `store one first (skiff store --to ${redactUrl(url)}), or name the release`,
      },
    );
  }
  if (!state.releases.includes(picked)) {
    throw new SkiffError("ERR_SKIFF_NO_SUCH_RELEASE", `${state.app} has no release ${picked}`, {
      hint: `pick one of: ${state.releases.join(", ")}`,
      data: { releases: state.releases },
    });
  }
  return picked;
}

/** The manifest of `release` at `tip` of the workspace, with its exact text. */
export async function readManifestAtTip(options: {
  repo: string;
  tip: string;
  state: AppState;
  release: number;
}): Promise<{ manifest: ReleaseManifest; text: string }> {
  const text = await readSmallFile({
    repo: options.repo,
    rev: options.tip,
    entries: options.state.entries,
    path: manifestPath(options.state.app, options.release),
    maxBytes: MANIFEST_MAX_BYTES,
  });
  if (text === undefined) {
    throw new SkiffError(
      "ERR_SKIFF_MANIFEST_INVALID",
      `${options.state.app} release ${options.release} has no readable manifest.json`,
      { hint: "store the release again" },
    );
  }
  const bytes = Buffer.from(text, "utf8");
  return { manifest: readSignedManifest(bytes, { app: options.state.app, release: options.release }), text };
}

/**
 * Before signing again what the repository holds: a signed manifest must carry a valid signature by
 * one of the signing keys, so a manifest someone changed in the repository is never blessed anew.
 */
export function assertSignedByOneOf(text: string, keys: readonly PrivateKey[]): void {
  const value = JSON.parse(text) as unknown;
  if (typeof value !== "object" || value === null || !("signatures" in value)) return;
  const envelope = parseEnvelope(value, "ERR_SKIFF_MANIFEST_INVALID", "manifest.json");
  const trusted = keys.map((key) => ({ type: key.type, keyid: key.keyid, key: createPublicKey(key.key) }));
  verifyEnvelope(envelope, { trusted, threshold: 1 });
}
