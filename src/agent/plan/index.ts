export {
  planReconcile,
  planApp,
  describeAction,
  type Action,
  type ActualApp,
  type ActualInstance,
  type DesiredApp,
} from "./plan-reconcile.js";
export { planSwapRecovery, type SwapRecoveryInput, type SwapRecoveryPlan } from "./plan-swap-recovery.js";
export {
  planStateRebuild,
  type DoorApp,
  type RebuiltApp,
  type StateRebuild,
  type StateRebuildInput,
} from "./plan-state-rebuild.js";
export {
  classifyFailure,
  planRetry,
  retryDelay,
  RETRY_FIRST_MS,
  RETRY_MAX_MS,
  type FailureKind,
} from "./plan-retry.js";
