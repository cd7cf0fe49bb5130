export { gateDesired, type TrustGateOptions } from "./trust-gate.js";
export { verifyPointer, type VerifyPointerOptions, type VerifiedPointer } from "./verify-release.js";
export {
  createHostDrivers,
  parseDriverList,
  requireSupport,
  type HostDrivers,
  type HostDriversOptions,
} from "./host-capabilities.js";
export { parseSolo5Devices } from "./driver-config.js";
export {
  recordAccepted,
  readAccepted,
  recordRefusal,
  clearRefusal,
  applyTrustMode,
  type RefusalInput,
  type TrustModeChange,
} from "./trust-state.js";
