import { createHmac, timingSafeEqual } from "node:crypto";

/** `sha256=<hex>` of HMAC-SHA256 over the raw body, as GitHub sends in X-Hub-Signature-256. */
export function signBody(secret: string | Buffer, body: string | Uint8Array): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Checks a `sha256=<hex>` header against the body, in constant time. */
export function isSignatureValid(
  secret: string | Buffer,
  body: Uint8Array,
  header: string | undefined,
): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec((header ?? "").trim());
  if (!match?.[1]) return false;
  const presented = Buffer.from(match[1].toLowerCase(), "hex");
  const expected = createHmac("sha256", secret).update(body).digest();
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
