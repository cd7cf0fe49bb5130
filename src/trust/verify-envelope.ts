import { verify } from "node:crypto";
import { SkiffError } from "../errors/index.js";
import { canonicalJson } from "./canonical-json.js";
import type { SignedEnvelope } from "./envelope.js";
import { shortKeyId, type PublicKey } from "./keys.js";

/** What a host trusts: keys from its own configuration (never from the repository) and how many must sign. */
export interface TrustPolicy {
  trusted: readonly PublicKey[];
  /** Distinct trusted keys whose valid signatures are required. */
  threshold: number;
}

/** Refuses a threshold that no set of the trusted keys could ever meet: a configuration error. */
export function assertTrustPolicy(policy: TrustPolicy): void {
  const distinct = new Set(policy.trusted.map((key) => key.keyid)).size;
  if (!Number.isInteger(policy.threshold) || policy.threshold < 1 || policy.threshold > distinct) {
    throw new SkiffError(
      "ERR_SKIFF_USAGE",
      `threshold ${policy.threshold} cannot be met with ${distinct} distinct trusted key(s)`,
      { hint: "--threshold must be between 1 and the number of distinct --trust keys" },
    );
  }
  if (policy.trusted.some((key) => key.type !== "ed25519")) {
    throw new SkiffError("ERR_SKIFF_KEY_INVALID", "a trusted key is not an ed25519 signing key", {
      hint: "give the .pub file written by skiff keys generate (not --host)",
    });
  }
}

/**
 * Returns the payload when at least `threshold` distinct trusted keys signed it validly (TUF rule:
 * signatures by unknown keys and repeated signatures by one key add nothing). Otherwise refuses with
 * the most telling reason: ERR_SKIFF_UNSIGNED, ERR_SKIFF_SIGNATURE_INVALID (a trusted key's signature
 * does not match: tampering), ERR_SKIFF_UNTRUSTED_KEY (only unknown keys signed),
 * ERR_SKIFF_THRESHOLD_NOT_MET.
 */
export function verifyEnvelope<T>(envelope: SignedEnvelope<T>, policy: TrustPolicy): T {
  assertTrustPolicy(policy);
  if (envelope.signatures.length === 0) {
    throw new SkiffError("ERR_SKIFF_UNSIGNED", "the record is not signed", {
      hint: "sign it with a trusted key: skiff store --key <file.key>",
    });
  }
  const byId = new Map(policy.trusted.map((key) => [key.keyid, key]));
  const bytes = Buffer.from(canonicalJson(envelope.signed), "utf8");
  const valid = new Set<string>();
  const invalid = new Set<string>();
  const untrusted = new Set<string>();
  for (const { keyid, sig } of envelope.signatures) {
    const key = byId.get(keyid);
    if (!key) untrusted.add(keyid);
    else if (checkSignature(bytes, sig, key)) valid.add(keyid);
    else invalid.add(keyid);
  }
  if (valid.size >= policy.threshold) return envelope.signed;
  const data = {
    valid: [...valid].map(shortKeyId),
    invalid: [...invalid].map(shortKeyId),
    untrusted: [...untrusted].map(shortKeyId),
    threshold: policy.threshold,
  };
  if (invalid.size > 0) {
    throw new SkiffError("ERR_SKIFF_SIGNATURE_INVALID", "a signature does not match the signed content", {
      hint: "the record was changed after it was signed; do not deploy it, and find out who changed it",
      data,
    });
  }
  if (valid.size === 0) {
    throw new SkiffError(
      "ERR_SKIFF_UNTRUSTED_KEY",
      `signed only by keys this host does not trust (${data.untrusted.join(", ")})`,
      {
        hint: "sign with a key whose .pub is given to skiff agent --trust, or add that key to the agent's --trust",
        data,
      },
    );
  }
  throw new SkiffError(
    "ERR_SKIFF_THRESHOLD_NOT_MET",
    `signed by ${valid.size} distinct trusted key(s), ${policy.threshold} required`,
    {
      hint: "have more trusted keys sign it (skiff resign --key <file.key>), or lower the agent's --threshold",
      data,
    },
  );
}

function checkSignature(bytes: Buffer, sig: string, key: PublicKey): boolean {
  const raw = Buffer.from(sig, "base64");
  if (raw.length !== 64) return false;
  try {
    return verify(null, bytes, key.key, raw);
  } catch {
    return false;
  }
}
