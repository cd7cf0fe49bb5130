export { startScaler, type Scaler, type ScalerOptions } from "./run-scaler.js";
export {
  planScale,
  wakeCount,
  SCALE_UP_WINDOW_MS,
  type ScaleDecision,
  type ScaleLimits,
  type ScaleView,
} from "./plan-scale.js";
export { addInstances, wakeApp, type AddInstancesInput } from "./add-instances.js";
