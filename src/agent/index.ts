export { startAgent, type AgentOptions, type AgentHandle, type AgentStatus } from "./start-agent.js";
export { watchStateLoss, runningUnrecorded, type StateLossWatch } from "./rebuild/index.js";
export {
  startLoop,
  createMirrorFetcher,
  createCoalescer,
  type LoopOptions,
  type LoopPass,
  type LoopHandle,
  type LoopStatus,
  type PassContext,
  type RunningLoop,
  type FollowPointer,
  type MirrorFetcher,
} from "./loop/index.js";
export { mirrorPath, readActual, type PassResult } from "./reconcile/index.js";
export {
  planReconcile,
  planApp,
  describeAction,
  planSwapRecovery,
  planStateRebuild,
  classifyFailure,
  planRetry,
  retryDelay,
  RETRY_FIRST_MS,
  RETRY_MAX_MS,
  type Action,
  type ActualApp,
  type ActualInstance,
  type DesiredApp,
} from "./plan/index.js";
export type { ActionContext, ActionOutcome } from "./swap/index.js";
export {
  getStrategy,
  registerStrategy,
  watchConfirmation,
  type SwapStrategy,
  type SwapOps,
  type SwapInput,
  type SwapResult,
} from "./swap/index.js";
export {
  checkHealth,
  probeOnce,
  createInstanceId,
  substituteArgs,
  buildInstanceSpec,
  prepareRelease,
  loadLocalRelease,
  releaseDir,
  type HealthCheckOptions,
  type HealthCheckResult,
  type ProbeResult,
  type PreparedRelease,
} from "./instance/index.js";
export {
  readState,
  createStateReader,
  writeState,
  updateState,
  statePath,
  readInstanceRecords,
  migrateState,
  acquireLock,
  type AgentState,
  type AppState,
  type DeployResult,
  type InstanceRecord,
  type InstanceReason,
  type LockFile,
} from "./state/index.js";
export {
  readStatus,
  stopApp,
  startApp,
  readLogs,
  followLogs,
  findInstanceLog,
  type AppStatus,
  type InstanceRow,
  type FollowLogsOptions,
  type FollowedLine,
  type InstanceLog,
  type StoppedInstance,
} from "./operate/index.js";
export { findFreePort, appFrontDir } from "./front/index.js";
export {
  createWorkers,
  taskEndOf,
  stopSignalOf,
  createRetryTimers,
  type RetryTimers,
  type Workers,
  type AppTask,
  type TaskEnd,
  type WorkerState,
} from "./worker/index.js";
export {
  createHostDrivers,
  parseDriverList,
  requireSupport,
  parseSolo5Devices,
  gateDesired,
  type HostDrivers,
  type HostDriversOptions,
  type TrustGateOptions,
} from "./gate/index.js";
export {
  BootSecrets,
  createRedactingSink,
  registerBootSecrets,
  unregisterBootSecrets,
} from "./secrets/index.js";
export {
  skiffLayout,
  createMirage2015Layout,
  parseMirage2015Flags,
  type ReleaseLayout,
  type Mirage2015LayoutOptions,
  type Mirage2015Flags,
} from "./layouts/index.js";
export type { FleetJoinOptions } from "./fleet/index.js";
