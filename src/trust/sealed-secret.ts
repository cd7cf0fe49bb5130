import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from "node:crypto";
import { SkiffError } from "../errors/index.js";
import type { PrivateKey, PublicKey } from "./keys.js";
import { newKeyPair } from "./new-key-pair.js";

export const SEALED_PREFIX = "skiff:sealed:v1:";
/** A secret's name: what the unikernel sees as an environment name or boot argument key. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Sealed values live in skiff.yml and manifests; a bigger one is refused before any work.
const MAX_SEALED_CHARS = 96 * 1024;

/** True when the value is a sealed secret (`skiff:sealed:v1:…`), not a plain value. */
export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

/**
 * Seals `value` for one host: ECDH of an ephemeral X25519 key with the host's key, HKDF-SHA256 bound
 * to the host key id and NAME, AES-256-GCM with NAME as associated data.
 * Format: skiff:sealed:v1:base64url(ephemeral public 32 || iv 12 || ciphertext || tag 16).
 */
export function sealSecret(value: string, options: { name: string; hostPublicKey: PublicKey }): string {
  assertSecretName(options.name);
  if (options.hostPublicKey.type !== "x25519") {
    throw new SkiffError(
      "ERR_SKIFF_KEY_INVALID",
      "secrets are sealed for a host key (x25519), not a signing key",
      {
        hint: "create the host's key with skiff keys generate --host, then pass its host.pub to --to",
      },
    );
  }
  const ephemeral = newKeyPair("x25519");
  const ephemeralRaw = rawPublic(ephemeral.publicKey);
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: options.hostPublicKey.key });
  const key = deriveKey({ shared, ephemeralRaw, hostKeyId: options.hostPublicKey.keyid, name: options.name });
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(options.name, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
  const sealed = Buffer.concat([ephemeralRaw, iv, ciphertext, cipher.getAuthTag()]);
  return SEALED_PREFIX + sealed.toString("base64url");
}

/** Opens a sealed value with the host's private key; any failure is ERR_SKIFF_SECRET_DECRYPT without the value. */
export function openSealed(value: string, options: { name: string; hostPrivateKey: PrivateKey }): string {
  assertSecretName(options.name);
  const fail = (why: string): SkiffError =>
    new SkiffError("ERR_SKIFF_SECRET_DECRYPT", `cannot open the sealed secret ${options.name}: ${why}`, {
      hint: `seal it again for this host: skiff secrets encrypt --to <this host's host.pub> ${options.name}=-`,
      data: { name: options.name },
    });
  if (!isSealed(value)) throw fail("it is not a skiff:sealed:v1 value");
  if (options.hostPrivateKey.type !== "x25519") throw fail("the host key is not an x25519 key");
  const encoded = value.slice(SEALED_PREFIX.length);
  if (encoded.length > MAX_SEALED_CHARS || !/^[A-Za-z0-9_-]*$/.test(encoded)) throw fail("it is malformed");
  const bytes = Buffer.from(encoded, "base64url");
  if (bytes.length < KEY_BYTES + IV_BYTES + TAG_BYTES) throw fail("it is truncated");
  const ephemeralRaw = bytes.subarray(0, KEY_BYTES);
  const iv = bytes.subarray(KEY_BYTES, KEY_BYTES + IV_BYTES);
  const ciphertext = bytes.subarray(KEY_BYTES + IV_BYTES, bytes.length - TAG_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  try {
    const ephemeral = createPublicKey({
      key: { kty: "OKP", crv: "X25519", x: ephemeralRaw.toString("base64url") },
      format: "jwk",
    });
    const shared = diffieHellman({ privateKey: options.hostPrivateKey.key, publicKey: ephemeral });
    const key = deriveKey({
      shared,
      ephemeralRaw,
      hostKeyId: options.hostPrivateKey.keyid,
      name: options.name,
    });
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(Buffer.from(options.name, "utf8"));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    return new TextDecoder("utf-8", { fatal: true }).decode(plain);
  } catch {
    throw fail("it was sealed for another host key or another name, or it was changed");
  }
}

export function assertSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new SkiffError("ERR_SKIFF_USAGE", `secret name ${JSON.stringify(name.slice(0, 40))} is not valid`, {
      hint: "a name is a letter or _ followed by letters, digits, _ or - (at most 128), e.g. API_TOKEN",
    });
  }
}

function deriveKey(input: { shared: Buffer; ephemeralRaw: Buffer; hostKeyId: string; name: string }): Buffer {
  const salt = Buffer.concat([input.ephemeralRaw, Buffer.from(input.hostKeyId, "hex")]);
  const info = Buffer.from(`skiff:sealed:v1\0${input.hostKeyId}\0${input.name}`, "utf8");
  return Buffer.from(hkdfSync("sha256", input.shared, salt, info, KEY_BYTES));
}

function rawPublic(publicKey: KeyObject): Buffer {
  const { x } = publicKey.export({ format: "jwk" });
  return Buffer.from(x ?? "", "base64url");
}
