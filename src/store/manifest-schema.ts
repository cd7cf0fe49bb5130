/**
 * The manifest types by their old path (agent and tests import them from here): the agent's
 * per-target view `Manifest`, and the stored format `ReleaseManifest` (src/store/manifest/).
 */
export {
  ManifestSchema,
  ManifestFileSchema,
  ReleaseFileName,
  ReleaseManifestSchema,
  MANIFEST_VERSION,
  type Manifest,
  type ManifestFile,
  type ReleaseManifest,
  type ReleaseTarget,
} from "./manifest/index.js";
