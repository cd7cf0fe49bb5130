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
