export {
  ManifestSchema,
  ManifestFileSchema,
  ReleaseFileName,
  MANIFEST_VERSION,
  type Manifest,
  type ManifestFile,
} from "./manifest-schema.js";
export type {
  StoreInput,
  StoreTarget,
  StoreArtifact,
  StoreOptions,
  StoreResult,
  ReleaseInfo,
  AppPointers,
  PointerName,
  ReleaseSigner,
  PointerRecordInput,
} from "./types.js";
export { storeRelease } from "./store-release.js";
export { buildManifest, encodeManifest, resolveExpiry } from "./build-manifest.js";
export { selectDeployTarget } from "./select-target.js";
export { planRetention } from "./plan-retention.js";
export { setPointer, type SetPointerOptions, type PointerChange } from "./set-pointer.js";
export { rollback, chooseRollbackTarget, type RollbackOptions } from "./rollback.js";
export { listReleases } from "./list-releases.js";
export { syncMirror, type SyncMirrorOptions } from "./sync-mirror.js";
export { createMirrorReader, tidyMirror } from "./mirror-reader.js";
export { readMirrorKind, type MirrorKind } from "./mirror-kind.js";
export { collectGarbage, type GcOptions, type GcResult } from "./collect-garbage.js";
export { GC_RECORD_PATH, readGcRecord, type GcRecord, type GcRecordSigner } from "./gc-record.js";
export { isCollected } from "./release-images.js";
export { describeReleases } from "./describe-releases.js";
export { readPointers } from "./read-pointers.js";
export {
  readManifest,
  readManifestEntry,
  type ReadManifestOptions,
  type ManifestEntry,
} from "./read-manifest.js";
export { unpackRelease, filesDigest, UNPACK_MARKER, type UnpackReleaseOptions } from "./unpack-release.js";
export { readAppState, type AppState } from "./app-state.js";
export { pointerChanges, type PointerChangesOptions } from "./pointer-changes.js";
export {
  MANIFEST_FILE,
  SIGNATURES_FILE,
  MANIFEST_MAX_BYTES,
  manifestPath,
  pointerPath,
  releaseDir,
  parsePointer,
} from "./layout.js";
export { promoteRelease, type PromoteOptions, type PromoteResult } from "./promote.js";
export { recordStageVerdict, readStageRecord, stageRecordPath } from "./stage-record.js";
export * from "./stage-record-schema.js";
export { resignRelease, type ResignOptions, type ResignResult } from "./resign.js";
export {
  changeConfigVars,
  readConfigVars,
  type ChangeConfigVarsOptions,
  type ConfigVarsChange,
} from "./config-vars.js";
