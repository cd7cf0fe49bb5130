import type { RolloutConfig } from "../config/index.js";
import type { SerializedError } from "../errors/index.js";
import type { EventInput } from "../events/index.js";
import type { Logger } from "../log/index.js";
import type { HEALTH_STATUSES, SYNC_STATUSES } from "./records.js";
import type { FleetStatus } from "./summarize-fleet.js";

/** Synced: runs the release current names. Progressing: a deploy of it is under way (waiting for a slot too). OutOfSync: neither. */
export type SyncStatus = (typeof SYNC_STATUSES)[number];
/** Healthy: serving and passing checks. Degraded: running but failing. Missing: nothing runs. Suspended: scaled to zero. */
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** What this host says about one of its apps; published on every change of any field. */
export interface HostAppStatus {
  app: string;
  /** The release the host runs now; null when none runs. */
  release: number | null;
  sync: SyncStatus;
  health: HealthStatus;
  /** The drivers this host offers the app (unix, qemu …) and the targets of the release it runs. */
  drivers: string[];
  targets: string[];
  /** The app's last failure on this host (deploy, refusal, halted rollout). */
  error?: SerializedError;
}

export interface AcquireSlotInput {
  app: string;
  release: number;
  /** deploy.rollout of the release's manifest. */
  rollout: RolloutConfig;
  /** Aborts the wait (a newer release, the agent stopping): rejects with signal.reason. */
  signal: AbortSignal;
}

export interface SlotOutcome {
  /** false: the release failed its health gate or was rolled back on this host. */
  ok: boolean;
  error?: SerializedError;
}

export interface SwapSlot {
  /** false: --fleet-optional let this host go ahead alone while etcd was unreachable. */
  readonly held: boolean;
  /**
   * After the host's confirmation window (or its rollback): records the outcome for the fleet, then
   * gives the slot back. Never rejects; while etcd is unreachable it waits (until close()).
   */
  release(outcome: SlotOutcome): Promise<void>;
}

/** The agent's one interface to the fleet (PLAN.md). Without --fleet there is no gate. */
export interface FleetGate {
  /**
   * Before an app's swap to a release: resolves once this host may swap it. Rejects with
   * ERR_SKIFF_ROLLOUT_HALTED (the release failed on another host) or signal.reason; waits, never
   * fails, while the rollout is paused or etcd is unreachable (unless optional).
   */
  acquireSlot(input: AcquireSlotInput): Promise<SwapSlot>;
  /** This host's apps, all of them, each time one changes: replaces what was published before. */
  publish(status: HostAppStatus[]): void;
  /** What the fleet looks like now (as skiff fleet status shows it). */
  readStatus(app?: string): Promise<FleetStatus>;
  /** Gives back the host's lease: the host leaves the fleet at once. */
  close(): Promise<void>;
}

/** Where the gate reports: an EventBus (the agent's), whose sinks include the notify sinks. */
export interface FleetEvents {
  emit(input: EventInput): unknown;
}

export interface FleetConnection {
  /** etcd client URLs: http://127.0.0.1:2379 (several for a cluster). */
  endpoints: readonly string[];
  /** Key prefix (default /skiff/v1/): several fleets can share one etcd. */
  prefix?: string;
}

export interface ConnectFleetOptions extends FleetConnection {
  /** This host's name in the fleet (unique within it). */
  host: string;
  labels?: Record<string, string>;
  /** The host lease's TTL: a host that dies leaves the fleet, and frees its slot, within it. Default 10. */
  ttlSeconds?: number;
  /** --fleet-optional: swap without a slot while etcd is unreachable (and say so). */
  optional?: boolean;
  logger?: Logger;
  events?: FleetEvents;
}
