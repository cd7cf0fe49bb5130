import assert from "node:assert/strict";
import { isSkiffError } from "../../src/errors/index.js";
import { ReleaseManifestSchema, type ReleaseManifest } from "../../src/store/index.js";
import {
  loadPrivateKey,
  loadPublicKey,
  newKeyPair,
  type PrivateKey,
  type PublicKey,
} from "../../src/trust/index.js";

export interface TestKey {
  privateKey: PrivateKey;
  publicKey: PublicKey;
  privatePem: string;
  publicPem: string;
}

/** A fresh key pair loaded through the same functions the CLI uses. */
export function makeKey(type: "ed25519" | "x25519" = "ed25519"): TestKey {
  const { privatePem, publicPem } = newKeyPair(type);
  return {
    privateKey: loadPrivateKey(privatePem, type),
    publicKey: loadPublicKey(publicPem, type),
    privatePem,
    publicPem,
  };
}

/** A valid manifest (this skiff's format) of release 3 of app hello, one unix target. */
export function makeManifest(overrides: Partial<ReleaseManifest> = {}): ReleaseManifest {
  return ReleaseManifestSchema.parse({
    version: "2.0",
    app: "hello",
    release: 3,
    sequence: 3,
    deploy: { port: 8080 },
    targets: [
      {
        target: "unix",
        driver: "unix",
        files: [
          {
            name: "hello",
            size: 10,
            sha256: "b".repeat(64),
            compression: "gzip",
            stored: "hello.gz",
            storedSize: 20,
            mode: 0o755,
          },
        ],
      },
    ],
    source: { commit: "a".repeat(40) },
    build: { id: "build-1" },
    created: "2030-01-01T00:00:00.000Z",
    ...overrides,
  });
}

/** Runs `fn`, expects a SkiffError, returns it. */
export function refusal(fn: () => unknown): { code: string; message: string; hint: string | undefined } {
  try {
    fn();
  } catch (error) {
    assert.ok(isSkiffError(error), `expected a SkiffError, got ${String(error)}`);
    return { code: error.code, message: error.message, hint: error.hint };
  }
  assert.fail("expected a refusal");
}

export function bytesOf(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 2), "utf8");
}
