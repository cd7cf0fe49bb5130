export { runBuild, selectEntries } from "./run-build.js";
export { readBuild, readLatestBuild, defaultBuildsDir, SUMMARY_FILE, LATEST_FILE } from "./build-folder.js";
export { sha256File } from "./sha256-file.js";
export {
  BuildSummarySchema,
  BUILD_SUMMARY_VERSION,
  type BuildSummary,
  type BuildStepName,
  type StepRecord,
  type ArtifactRecord,
  type TargetRecord,
} from "./summary-schema.js";
export type { BuildOutput, BuildStepEvent, RunBuildOptions } from "./types.js";
export { toMachineSummary, type MachineBuildSummary } from "./machine-summary.js";
export { listBuilds, type BuildListing } from "./list-builds.js";
export { pruneBuilds, type PruneBuildsOptions } from "./prune-builds.js";
