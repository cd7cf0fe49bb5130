export { startAgent, type AgentOptions, type AgentHandle, type AgentStatus } from "./run-agent.js";
export {
  reconcileOnce,
  mirrorPath,
  type PassResult,
  type FollowPointer,
  type ReconcileOptions,
} from "./reconcile.js";
export { planReconcile, describeAction, type Action, type ActualApp, type DesiredApp } from "./plan.js";
export { applyPlan, type ApplyContext, type ActionOutcome } from "./apply.js";
export { checkHealth, type HealthCheckOptions, type HealthCheckResult } from "./health.js";
export { probeOnce, type ProbeResult } from "./probe.js";
export { readState, writeState, updateState, statePath } from "./state.js";
export type { AgentState, AppState, DeployResult } from "./state-schema.js";
export { readStatus, stopApp, startApp, readLogs, type AppStatus } from "./operate.js";
export { followLogs, type FollowLogsOptions, type FollowedLine } from "./follow-logs.js";
export { findInstanceLog, type InstanceLog } from "./instance-logs.js";
export {
  getStrategy,
  registerStrategy,
  type SwapStrategy,
  type SwapOps,
  type SwapInput,
  type SwapResult,
} from "./strategies/index.js";
export { createInstanceId, substituteArgs, buildInstanceSpec } from "./instance-spec.js";
export { prepareRelease, loadLocalRelease, releaseDir, type PreparedRelease } from "./release-files.js";
export { createCoalescer } from "./coalesce.js";
export { acquireLock, type LockFile } from "./lock.js";
export {
  createHostDrivers,
  parseDriverList,
  requireSupport,
  type HostDrivers,
  type HostDriversOptions,
} from "./host-capabilities.js";
export { parseSolo5Devices } from "./driver-config.js";
export { gateDesired, type TrustGateOptions } from "./trust-gate.js";
export {
  skiffLayout,
  createMirage2015Layout,
  parseMirage2015Flags,
  type ReleaseLayout,
  type Mirage2015LayoutOptions,
  type Mirage2015Flags,
} from "./layouts/index.js";
