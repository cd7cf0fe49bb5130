import { sign } from "node:crypto";
import { z } from "zod";
import { SkiffError, type ErrorCode } from "../errors/index.js";
import { canonicalJson } from "./canonical-json.js";
import type { PrivateKey } from "./keys.js";

export interface Signature {
  /** Hex sha256 of the signer's raw public key. */
  keyid: string;
  /** base64 ed25519 signature over canonicalJson(signed), UTF-8. */
  sig: string;
}

/** A signed record (TUF style): the payload and the signatures over its canonical form. */
export interface SignedEnvelope<T> {
  signed: T;
  signatures: Signature[];
}

export const SignatureSchema = z.strictObject({
  keyid: z.string().regex(/^[0-9a-f]{64}$/),
  sig: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, "a base64 ed25519 signature"),
});

export const SignedEnvelopeSchema = z.strictObject({
  signed: z.unknown(),
  signatures: z.array(SignatureSchema).max(64),
});

/** The signature of one key over a payload's canonical form. */
export function signPayload(payload: unknown, privateKey: PrivateKey): Signature {
  if (privateKey.type !== "ed25519") {
    throw new SkiffError("ERR_SKIFF_KEY_INVALID", "only an ed25519 key signs", {
      hint: "use a key from skiff keys generate (not --host)",
    });
  }
  const bytes = Buffer.from(canonicalJson(payload), "utf8");
  return { keyid: privateKey.keyid, sig: sign(null, bytes, privateKey.key).toString("base64") };
}

/** Wraps a payload in an envelope signed by every given key. */
export function signEnvelope<T>(payload: T, privateKeys: readonly PrivateKey[]): SignedEnvelope<T> {
  return { signed: payload, signatures: privateKeys.map((key) => signPayload(payload, key)) };
}

/** Adds one more signature (threshold signing by several people); a key that already signed is replaced. */
export function addSignature<T>(envelope: SignedEnvelope<T>, privateKey: PrivateKey): SignedEnvelope<T> {
  const others = envelope.signatures.filter((s) => s.keyid !== privateKey.keyid);
  return { signed: envelope.signed, signatures: [...others, signPayload(envelope.signed, privateKey)] };
}

/** The text written to the deployment repository: indented for diffs; signatures cover the canonical form. */
export function encodeEnvelope(envelope: SignedEnvelope<unknown>): string {
  return JSON.stringify(envelope, null, 2) + "\n";
}

/** Checks an already-parsed JSON value has the envelope's shape (no unknown fields). */
export function parseEnvelope(value: unknown, invalidCode: ErrorCode, what: string): SignedEnvelope<unknown> {
  const result = SignedEnvelopeSchema.safeParse(value);
  // z.unknown() also accepts a missing key; an envelope without `signed` is not one.
  if (!result.success || !("signed" in result.data)) {
    const issue = result.success ? undefined : result.error.issues[0];
    const where = issue ? ` (${issue.path.join(".") || "top level"}: ${issue.message})` : "";
    throw new SkiffError(invalidCode, `${what} is not a valid signed envelope${where}`, {
      hint: "a signed record is {signed, signatures: [{keyid, sig}]}; re-create it with a matching skiff version",
    });
  }
  return { signed: result.data.signed, signatures: result.data.signatures };
}
