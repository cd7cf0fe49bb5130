import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { SkiffError } from "../errors/index.js";

/** ed25519 signs releases and pointer records; x25519 is a host's key for sealed secrets. */
export type KeyType = "ed25519" | "x25519";

export interface PublicKey {
  type: KeyType;
  /** Hex sha256 of the raw 32-byte public key. */
  keyid: string;
  key: KeyObject;
}

export interface PrivateKey {
  type: KeyType;
  /** The key id of the matching public key. */
  keyid: string;
  key: KeyObject;
}

// A key file is small; a bigger input is not a key (and is not read whole into memory).
const MAX_KEY_BYTES = 16 * 1024;

/** Hex sha256 of a public key's raw 32 bytes: the id signatures and sealed secrets refer to. */
export function keyIdOf(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: "jwk" });
  if (typeof jwk.x !== "string")
    throw new SkiffError("ERR_SKIFF_KEY_INVALID", "not an ed25519 or x25519 key");
  return createHash("sha256").update(Buffer.from(jwk.x, "base64url")).digest("hex");
}

/** The 16 hex characters of a key id shown to humans. */
export function shortKeyId(keyid: string): string {
  return keyid.slice(0, 16);
}

/**
 * A public key from a file path or from the PEM text itself (`skiff agent --trust` takes either).
 * A private key is refused so that it never ends up in an agent's configuration.
 */
export function loadPublicKey(fileOrPemText: string, expect: KeyType = "ed25519"): PublicKey {
  const { pem, source } = readPem(fileOrPemText);
  if (/PRIVATE KEY/.test(pem)) {
    throw new SkiffError(
      "ERR_SKIFF_KEY_INVALID",
      `${source} is a private key, where a public key was expected`,
      {
        hint: "give the .pub file; the private .key file stays with whoever signs (or on its host)",
      },
    );
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch {
    throw invalidKey(source, "is not a PEM public key");
  }
  return { type: checkType(key, expect, source), keyid: keyIdOf(key), key };
}

/** A private key from a file path or PEM text; nothing of its content ever reaches an error. */
export function loadPrivateKey(fileOrPemText: string, expect: KeyType = "ed25519"): PrivateKey {
  const { pem, source } = readPem(fileOrPemText);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw invalidKey(source, "is not a PEM private key");
  }
  const type = checkType(key, expect, source);
  return { type, keyid: keyIdOf(createPublicKey(key)), key };
}

function readPem(fileOrPemText: string): { pem: string; source: string } {
  if (fileOrPemText.includes("-----BEGIN")) return { pem: fileOrPemText, source: "the key text" };
  const source = fileOrPemText;
  let bytes: Buffer;
  try {
    bytes = readFileSync(fileOrPemText);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new SkiffError("ERR_SKIFF_KEY_INVALID", `cannot read key file ${source} (${code})`, {
      hint: "give the path of a key file written by skiff keys generate, or the PEM text itself",
      data: { file: source },
    });
  }
  if (bytes.length > MAX_KEY_BYTES || !bytes.includes("-----BEGIN"))
    throw invalidKey(source, "is not a PEM key file");
  return { pem: bytes.toString("utf8"), source };
}

function checkType(key: KeyObject, expect: KeyType, source: string): KeyType {
  if (key.asymmetricKeyType !== expect) {
    const wanted = expect === "ed25519" ? "an ed25519 signing key" : "an x25519 host key";
    throw invalidKey(source, `is an ${key.asymmetricKeyType ?? "unknown"} key, not ${wanted}`);
  }
  return expect;
}

function invalidKey(source: string, what: string): SkiffError {
  return new SkiffError("ERR_SKIFF_KEY_INVALID", `${source} ${what}`, {
    hint: "create keys with skiff keys generate (signing) or skiff keys generate --host (secrets)",
  });
}
