export { canonicalJson } from "./canonical-json.js";
export {
  keyIdOf,
  shortKeyId,
  loadPublicKey,
  loadPrivateKey,
  type KeyType,
  type PublicKey,
  type PrivateKey,
} from "./keys.js";
export { writeKeyPair, type WriteKeyPairOptions, type WriteKeyPairResult } from "./key-files.js";
export { newKeyPair, type NewKeyPair } from "./new-key-pair.js";
export {
  signPayload,
  signEnvelope,
  addSignature,
  encodeEnvelope,
  parseEnvelope,
  SignedEnvelopeSchema,
  type Signature,
  type SignedEnvelope,
} from "./envelope.js";
export { verifyEnvelope, assertTrustPolicy, type TrustPolicy } from "./verify-envelope.js";
export { parseJsonBytes, sha256Hex, MAX_JSON_DEPTH } from "./json-bytes.js";
export {
  PointerRecordSchema,
  readSignedPointer,
  signPointerRecord,
  checkPointerRecord,
  pointerRecordFile,
  MAX_POINTER_BYTES,
  type PointerRecord,
  type PointerName,
  type ReadSignedPointerOptions,
  type CheckPointerRecordOptions,
} from "./pointer-record.js";
export { parseExpiry, checkNotExpired, checkManifestFreshness } from "./expiry.js";
export { assertPlainName } from "./plain-name.js";
export {
  sealSecret,
  openSealed,
  isSealed,
  assertSecretName,
  SEALED_PREFIX,
  SECRET_NAME,
} from "./sealed-secret.js";
export { redactSecrets, redactSecretsDeep, HIDDEN } from "./redact-secrets.js";
export { parseSecretAssignments, valueFromStdin, type SecretAssignment } from "./secret-assignments.js";
