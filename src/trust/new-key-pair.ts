import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { KeyType } from "./keys.js";

export interface NewKeyPair {
  /** PKCS8 PEM. */
  privatePem: string;
  /** SPKI PEM. */
  publicPem: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/**
 * A new ed25519 or x25519 key pair, as PEM and as key objects parsed from that PEM: the only way
 * skiff makes keys (eslint keeps generateKeyPairSync out of everything else).
 *
 * The key objects are never the ones `generateKeyPairSync` returns. In node 20 those share a lock
 * with the generator's job, and exporting one as a JWK (what a key id is computed from) holds that
 * lock while it allocates. A garbage collection that frees the job at that moment waits for the
 * lock the same thread holds: the process hangs for good, silent, in a futex (about 1 in 130
 * `skiff keys generate` on a loaded 2-core machine, caught with gdb: ~KeyGenJob under
 * ExportJWKEdKey). Keys parsed from PEM have a lock of their own that no job shares.
 */
export function newKeyPair(type: KeyType): NewKeyPair {
  const publicKeyEncoding = { type: "spki", format: "pem" } as const;
  const privateKeyEncoding = { type: "pkcs8", format: "pem" } as const;
  const pair =
    type === "ed25519"
      ? generateKeyPairSync("ed25519", { publicKeyEncoding, privateKeyEncoding })
      : generateKeyPairSync("x25519", { publicKeyEncoding, privateKeyEncoding });
  return {
    privatePem: pair.privateKey,
    publicPem: pair.publicKey,
    privateKey: createPrivateKey(pair.privateKey),
    publicKey: createPublicKey(pair.publicKey),
  };
}
