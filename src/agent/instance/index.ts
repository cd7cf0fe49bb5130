export { buildInstanceSpec, createInstanceId, substituteArgs, listeningPort } from "./instance-spec.js";
export { checkHealth, type HealthCheckOptions, type HealthCheckResult } from "./health.js";
export { probeOnce, type ProbeResult, type ProbeTarget } from "./probe.js";
export {
  prepareRelease,
  loadLocalRelease,
  releaseDir,
  writeLocalManifest,
  type PreparedRelease,
} from "./release-files.js";
export {
  decideCrashRestart,
  gateRestart,
  type CrashDecision,
  type RestartGateOptions,
} from "./crash-loop.js";
export { createDeployId } from "./deploy-id.js";
export { inspectInstance } from "../../drivers/light.js";
export { watchInstances, type WatchInstancesOptions } from "./watch-instances.js";
export { noteInstanceExit, instanceExitNoted } from "./exit-notes.js";
