import type { Manifest } from "../store/manifest-schema.js";
import type { PointerRecordInput, ReleaseSigner } from "../store/types.js";
import { encodeEnvelope } from "./envelope.js";
import type { PrivateKey } from "./keys.js";
import { signPointerRecord } from "./pointer-record.js";
import { signManifest } from "./signed-manifest.js";

/** The store's signing hook: manifest.json and <pointer>.json as envelopes signed by every key. */
export function createReleaseSigner(privateKeys: readonly PrivateKey[]): ReleaseSigner {
  return {
    encodeManifest: (manifest: Manifest) => encodeEnvelope(signManifest(manifest, privateKeys)),
    encodePointer: (record: PointerRecordInput) => encodeEnvelope(signPointerRecord(record, privateKeys)),
  };
}
