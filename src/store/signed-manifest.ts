import { SkiffError } from "../errors/index.js";
import {
  checkManifestFreshness,
  parseEnvelope,
  parseJsonBytes,
  sha256Hex,
  signEnvelope,
  verifyEnvelope,
  type PrivateKey,
  type SignedEnvelope,
  type TrustPolicy,
} from "../trust/index.js";
import { MANIFEST_MAX_BYTES, parseReleaseManifest, type ReleaseManifest } from "./manifest/index.js";

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
 * a key, the plain manifest). Enforces the size cap, the signatures over the whole payload (extensions
 * included) when a trust policy is given, the manifest version and schema, app and release, and
 * expiry when `now` is given. The one reader of stored manifests: agents, the store's own checks.
 */
export function readSignedManifest(
  bytes: Uint8Array,
  options: ReadSignedManifestOptions = {},
): ReleaseManifest {
  const maxBytes = options.maxBytes ?? MANIFEST_MAX_BYTES;
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
  const manifest = parseReleaseManifest(unwrapManifest(value, options.trust));
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

/** Validates a manifest (defaults made explicit) and signs its canonical form with every key. */
export function signManifest(
  manifest: ReleaseManifest,
  privateKeys: readonly PrivateKey[],
): SignedEnvelope<ReleaseManifest> {
  return signEnvelope(parseReleaseManifest(manifest), privateKeys);
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
  // The signature covers the payload as stored (canonical JSON), before any field is read.
  return trust ? verifyEnvelope(envelope, trust) : envelope.signed;
}

/** The version a manifest.json's text says it has, as written ("1", "2.0"); "?" when unreadable. */
export function storedVersion(text: string): string {
  try {
    const value = JSON.parse(text) as { version?: unknown; signed?: { version?: unknown } };
    const version = value.signed?.version ?? value.version;
    return typeof version === "number" || typeof version === "string" ? String(version) : "?";
  } catch {
    return "?";
  }
}
