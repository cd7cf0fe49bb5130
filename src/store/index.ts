export {
  ManifestSchema,
  ManifestFileSchema,
  ReleaseFileName,
  ReleaseManifestSchema,
  TargetSchema,
  MANIFEST_VERSION,
  MANIFEST_MAJOR,
  MANIFEST_MINOR,
  MANIFEST_MAX_BYTES,
  MAX_TARGETS,
  MAX_FILES,
  MAX_EXTENSIONS,
  STORED_KEYS,
  KNOWN_DRIVERS,
  readManifestVersion,
  parseReleaseManifest,
  mapSkiffYml,
  targetView,
  chooseTarget,
  storedFiles,
  upgradeV1,
  type Manifest,
  type ManifestFile,
  type ReleaseManifest,
  type ReleaseTarget,
  type HostSupport,
  type ChooseTargetOptions,
  type NotStored,
} from "./manifest/index.js";
export { selectHostTarget, type HostTargets } from "./select-host-target.js";
export {
  readSignedManifest,
  signManifest,
  storedVersion,
  type ReadSignedManifestOptions,
} from "./signed-manifest.js";
export { createReleaseSigner } from "./release-signer.js";
export { assertAgentsAccept } from "./check-agents-accept.js";
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
export { selectDeployTargets, type SelectedTarget } from "./select-target.js";
export { planRetention } from "./plan-retention.js";
export { setPointer, type SetPointerOptions, type PointerChange } from "./set-pointer.js";
export { rollback, chooseRollbackTarget, type RollbackOptions } from "./rollback.js";
export { listReleases } from "./list-releases.js";
export { syncMirror, type SyncMirrorOptions } from "./sync-mirror.js";
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
  manifestPath,
  pointerPath,
  tombstonePath,
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
export { destroyApp, planDestroy, type DestroyAppOptions, type DestroyAppResult } from "./destroy-app.js";
