export {
  MANIFEST_MAJOR,
  MANIFEST_MINOR,
  MANIFEST_VERSION,
  readManifestVersion,
  type ManifestVersion,
} from "./version.js";
export { MANIFEST_MAX_BYTES, MAX_TARGETS, MAX_FILES, MAX_EXTENSIONS, MAX_FILE_NAME } from "./limits.js";
export { ReleaseFileName, ManifestFileSchema, type ManifestFile } from "./file-schema.js";
export {
  DeploySettingsSchema,
  TargetBootShape,
  type DeploySettings,
  type TargetBoot,
} from "./settings-schema.js";
export { StageSettingsSchema, type StageSettings } from "./stage-schema.js";
export {
  ReleaseManifestSchema,
  TargetSchema,
  ExtensionName,
  storedFiles,
  type ReleaseManifest,
  type ReleaseTarget,
} from "./release-manifest-schema.js";
export { ManifestV1Schema, upgradeV1, type ManifestV1 } from "./v1-schema.js";
export { parseReleaseManifest } from "./parse-release-manifest.js";
export { mapSkiffYml, type MappedSkiffYml } from "./map-skiff-yml.js";
export { STORED_KEYS, type NotStored } from "./stored-keys.js";
export { ManifestSchema, KNOWN_DRIVERS, type Manifest, type DriverName } from "./view-schema.js";
export { targetView } from "./target-view.js";
export {
  chooseTarget,
  candidateTargets,
  type ChooseTargetOptions,
  type HostSupport,
} from "./choose-target.js";
