import { createHash } from "node:crypto";
import { SkiffError } from "../errors/index.js";
import { MANIFEST_VERSION, ManifestSchema, type Manifest } from "../store/manifest-schema.js";
import { parseEnvelope, signEnvelope, type SignedEnvelope } from "./envelope.js";
import { checkManifestFreshness } from "./expiry.js";
import { parseJsonBytes } from "./json-bytes.js";
import { assertPlainName } from "./plain-name.js";
import type { PrivateKey } from "./keys.js";
import { verifyEnvelope, type TrustPolicy } from "./verify-envelope.js";

/** A manifest.json larger than this is refused before it is parsed (endless-data protection). */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

export interface ReadSignedManifestOptions {
  /** The host's trusted keys; without them a plain or signed manifest is accepted unchecked. */
  trust?: TrustPolicy;
  /** Where the manifest was found: a manifest naming another app or release is refused (mix-and-match). */
  app?: string;
  release?: number;
  /** When given, a manifest whose `expires` is not after it is refused (the agent always passes it). */
  now?: Date;
  /** sha256 (hex) of the manifest.json bytes named by a signed pointer record. */
  sha256?: string;
  maxBytes?: number;
}

/**
 * Reads <app>/releases/<N>/manifest.json: a SignedEnvelope of the manifest (or, from a store without
 * a key, the plain manifest). Enforces the size cap, the signatures when a trust policy is given,
 * the manifest version and schema, app and release, and expiry when `now` is given.
 */
export function readSignedManifest(bytes: Uint8Array, options: ReadSignedManifestOptions = {}): Manifest {
  const maxBytes = options.maxBytes ?? MAX_MANIFEST_BYTES;
  if (bytes.length > maxBytes) {
    throw new SkiffError(
      "ERR_SKIFF_MANIFEST_TOO_LARGE",
      `manifest.json is ${bytes.length} bytes, more than ${maxBytes}`,
      {
        hint: "a manifest is a few KiB; this one was not written by skiff store",
        data: { size: bytes.length, max: maxBytes },
      },
    );
  }
  if (options.sha256 !== undefined && sha256Hex(bytes) !== options.sha256) {
    throw new SkiffError(
      "ERR_SKIFF_CHECKSUM_MISMATCH",
      "manifest.json is not the one the signed pointer names",
      {
        hint: "the deployment repository mixes files from different commits; fetch it again",
      },
    );
  }
  const value = parseJsonBytes(bytes, { code: "ERR_SKIFF_MANIFEST_INVALID", what: "manifest.json" });
  const payload = unwrapManifest(value, options.trust);
  const manifest = parseManifestPayload(payload);
  if (
    (options.app !== undefined && manifest.app !== options.app) ||
    (options.release !== undefined && manifest.release !== options.release)
  ) {
    throw new SkiffError(
      "ERR_SKIFF_MANIFEST_INVALID",
      `manifest names ${manifest.app} release ${manifest.release} but was found at ${options.app ?? manifest.app} release ${options.release ?? manifest.release}`,
      {
        hint: "a manifest was copied into another release folder; store the release again",
        data: { app: manifest.app, release: manifest.release },
      },
    );
  }
  if (options.now) checkManifestFreshness(manifest, { now: options.now });
  return manifest;
}

/** Validates a manifest (defaults made explicit) and signs it with every key. */
export function signManifest(
  manifest: Manifest,
  privateKeys: readonly PrivateKey[],
): SignedEnvelope<Manifest> {
  return signEnvelope(parseManifestPayload(manifest), privateKeys);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function unwrapManifest(value: unknown, trust: TrustPolicy | undefined): unknown {
  const isEnvelope =
    typeof value === "object" && value !== null && ("signed" in value || "signatures" in value);
  if (!isEnvelope) {
    if (trust) {
      throw new SkiffError(
        "ERR_SKIFF_UNSIGNED",
        "the release is not signed, and this host requires signed releases",
        {
          hint: "store it with a trusted key: skiff store --key <file.key>",
        },
      );
    }
    return value;
  }
  const envelope = parseEnvelope(value, "ERR_SKIFF_MANIFEST_INVALID", "manifest.json");
  return trust ? verifyEnvelope(envelope, trust) : envelope.signed;
}

function parseManifestPayload(payload: unknown): Manifest {
  const version =
    typeof payload === "object" && payload !== null ? (payload as { version?: unknown }).version : undefined;
  if (version !== MANIFEST_VERSION) {
    const shown = typeof version === "number" ? String(version) : "(missing)";
    throw new SkiffError("ERR_SKIFF_MANIFEST_INVALID", `unknown manifest version ${shown}`, {
      hint: `this skiff reads manifest version ${MANIFEST_VERSION}; upgrade skiff on this host or store the release with a matching skiff`,
      data: { version: typeof version === "number" ? version : null },
    });
  }
  checkFileNames(payload);
  const result = ManifestSchema.safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SkiffError(
      "ERR_SKIFF_MANIFEST_INVALID",
      `manifest.json is invalid at ${issue?.path.join(".") || "top level"}: ${issue?.message ?? "unknown"}`,
      {
        hint: "the manifest was not written by this version of skiff store; store the release again",
      },
    );
  }
  return result.data;
}

// Before the schema, so an escaping file name is reported as what it is.
function checkFileNames(payload: unknown): void {
  const files = (payload as { files?: unknown }).files;
  if (!Array.isArray(files)) return;
  for (const file of files as unknown[]) {
    if (typeof file !== "object" || file === null) continue;
    for (const field of ["name", "stored"] as const) {
      const value = (file as Record<string, unknown>)[field];
      if (typeof value === "string") assertPlainName(value, `artifact ${field}`);
    }
  }
}
