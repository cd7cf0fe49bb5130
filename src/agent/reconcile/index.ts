export {
  createProductionPass,
  mirrorPath,
  type PassResult,
  type ProductionPass,
  type ProductionPassOptions,
  type HandedOver,
} from "./production-pass.js";
export { readActual } from "./read-actual.js";
export { applyAction } from "./apply-action.js";
export { reconcileApp, type AppReconcile } from "./reconcile-app.js";
