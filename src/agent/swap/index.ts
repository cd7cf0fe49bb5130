export type { ActionContext, ActionOutcome } from "./action-context.js";
export { deployRelease } from "./deploy-release.js";
export { restartInstance } from "./restart-instance.js";
export { resolveSwap, healFrontDoor } from "./swap-recovery.js";
export { recordDeploy, type DeployRecord } from "./record-deploy.js";
export { watchConfirmation, type ConfirmOptions, type ConfirmOutcome } from "./swap-confirm.js";
export { createSwapOps, type SwapOpsOptions } from "./swap-ops.js";
export type { SwapIdentity, SwapSets } from "./swap-phase.js";
export {
  getStrategy,
  registerStrategy,
  type SwapStrategy,
  type SwapOps,
  type SwapInput,
  type SwapResult,
} from "./strategies/index.js";
