// The light front door of state/: reading state.json only (no lock, no secrets, no process
// control), for callers that must start fast such as `skiff status` (eslint allows light.js).
export { readState, statePath } from "./read-state.js";
export type {
  AgentState,
  AppState,
  DeployResult,
  InstanceReason,
  InstanceRecord,
  RetryRecord,
} from "./state-schema.js";
export type { Refusal } from "./trust-state-schema.js";
