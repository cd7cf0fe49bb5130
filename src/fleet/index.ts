/**
 * The fleet: many hosts that follow one deployment repository, coordinated through etcd
 * (docs/fleet.md). Optional: without --fleet a host acts alone and nothing here runs.
 */
export { connectFleet } from "./connect-fleet.js";
export { readFleetStatus, type ReadFleetStatusOptions } from "./read-fleet-status.js";
export { pauseRollout, resumeRollout, type RolloutControlOptions } from "./control-rollout.js";
export { describeFleetStatus, type FleetStatusText } from "./describe-fleet-status.js";
export { parseFleetEndpoints } from "./etcd-client.js";
export { parseLabels } from "./labels.js";
export { DEFAULT_FLEET_PREFIX } from "./keys.js";
export { HEALTH_STATUSES, SYNC_STATUSES } from "./records.js";
export { planSlot, resolveSlotLimit, type RolloutSnapshot, type SlotDecision } from "./plan-slot.js";
export type { FleetStatus, FleetHostStatus, FleetAppStatus, RolloutState } from "./summarize-fleet.js";
export type {
  AcquireSlotInput,
  ConnectFleetOptions,
  FleetConnection,
  FleetEvents,
  FleetGate,
  HealthStatus,
  HostAppStatus,
  SlotOutcome,
  SwapSlot,
  SyncStatus,
} from "./types.js";
