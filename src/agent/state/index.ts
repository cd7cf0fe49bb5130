export { createStateReader, readState, statePath } from "./read-state.js";
export { writeState, updateState, updateAppState, onStateLost } from "./state.js";
export {
  STATE_VERSION,
  SWAP_PHASES,
  INSTANCE_REASONS,
  emptyAppState,
  emptyState,
  type AgentState,
  type AppState,
  type DeployResult,
  type SwapPhase,
  type SwapRecord,
  type CrashRecord,
  type InstanceRecord,
  type InstanceReason,
  type RetryRecord,
} from "./state-schema.js";
export { historyOf, type History, type AppHistory } from "./history.js";
export { historyPath, readHistory } from "./history-file.js";
export {
  instanceRecordPath,
  readInstanceRecord,
  readInstanceRecords,
  writeInstanceRecord,
} from "./instance-files.js";
export type { AcceptedRecord, Refusal, TrustRecord } from "./trust-state-schema.js";
export { migrateState } from "./migrate-state.js";
export { acquireLock, type LockFile, type AcquireLockOptions } from "./lock.js";
export { asRecord, recordedInstances, keepRecords } from "./instance-records.js";
export { isStoppedSince, wasStoppedSince, stoppedError, isStopError } from "./stopped.js";
