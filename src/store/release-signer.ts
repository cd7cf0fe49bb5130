import { encodeEnvelope, signPointerRecord, type PrivateKey } from "../trust/index.js";
import type { ReleaseManifest } from "./manifest/index.js";
import { signManifest } from "./signed-manifest.js";
import type { PointerRecordInput, ReleaseSigner } from "./types.js";

/** The store's signing hook: manifest.json and <pointer>.json as envelopes signed by every key. */
export function createReleaseSigner(privateKeys: readonly PrivateKey[]): ReleaseSigner {
  return {
    encodeManifest: (manifest: ReleaseManifest) => encodeEnvelope(signManifest(manifest, privateKeys)),
    encodePointer: (record: PointerRecordInput) => encodeEnvelope(signPointerRecord(record, privateKeys)),
  };
}
