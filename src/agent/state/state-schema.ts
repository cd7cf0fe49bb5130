import { z } from "zod";
import { AcceptedSchema, RefusalSchema, TrustRecordSchema } from "./trust-state-schema.js";

/** <data>/state.json, version 2: what runs on this host (every instance of each app) and what was tried. */
export const STATE_VERSION = 2;

const SerializedErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

/** Why an instance was started: a deploy, a wake on demand, a replica added under load, a restart. */
export const INSTANCE_REASONS = ["deploy", "wake", "scale-up", "restart"] as const;
export type InstanceReason = (typeof INSTANCE_REASONS)[number];

/** A driver's instance as the agent records it (src/drivers/types.ts Instance), with why it started. */
export const InstanceRecordSchema = z.object({
  id: z.string(),
  driver: z.enum(["unix", "qemu", "xen", "solo5-hvt", "solo5-spt"]),
  app: z.string(),
  release: z.number().int().positive(),
  address: z.object({ host: z.string(), port: z.number().int() }),
  handle: z.record(z.string(), z.union([z.string(), z.number()])),
  logPath: z.string(),
  startedAt: z.string(),
  reason: z.enum(INSTANCE_REASONS),
});

export const DeployResultSchema = z.object({
  release: z.number().int().positive(),
  ok: z.boolean(),
  at: z.string(),
  deploy: z.string().optional(),
  error: SerializedErrorSchema.optional(),
});

/** The steps of a swap, each written to state before it runs (docs/deploys.md has the recovery table). */
export const SWAP_PHASES = [
  "stopping",
  "starting",
  "checking",
  "switched",
  "confirming",
  "draining",
] as const;
export type SwapPhase = (typeof SWAP_PHASES)[number];

/** A swap in progress: the instances that served before (old) and the ones replacing them (next). */
export const SwapRecordSchema = z.object({
  deploy: z.string(),
  strategy: z.string(),
  release: z.number().int().positive(),
  phase: z.enum(SWAP_PHASES),
  old: z.array(InstanceRecordSchema).default([]),
  next: z.array(InstanceRecordSchema).default([]),
  at: z.string(),
});

/** Consecutive crashes of one release on this host; `loop` is set once the restart limit is reached. */
export const CrashRecordSchema = z.object({
  release: z.number().int().positive(),
  count: z.number().int().min(0),
  lastAt: z.string(),
  loop: z.object({ at: z.string() }).optional(),
});

/** The host fault a release failed with, and when it is tried again (bounded exponential backoff). */
export const RetrySchema = z.object({
  release: z.number().int().positive(),
  code: z.string(),
  /** How many tries in a row failed for a host reason. */
  attempt: z.number().int().positive(),
  delayMs: z.number().int().nonnegative(),
  /** When the next try is due. */
  at: z.string(),
});

export const AppStateSchema = z.object({
  /** The instances (replicas) that serve, or served when they died, for this app on this host. */
  instances: z.array(InstanceRecordSchema).default([]),
  lastDeploy: DeployResultSchema.optional(),
  /** Releases that failed while `current` named them; not retried until `current` changes. */
  failed: z.array(DeployResultSchema).default([]),
  /** The value of the followed pointer the agent last acted on; a change clears `failed` and `stopped`. */
  observedCurrent: z.number().int().positive().optional(),
  /** Set by `skiff stop`: the agent leaves the app stopped until `current` changes or `skiff start`. */
  stopped: z.object({ at: z.string() }).optional(),
  /**
   * Set by `skiff start`: a pass that checked the app before then checks it again. A stop closed its
   * public address, and a stop and a start between two passes leave everything else as it was.
   */
  resumed: z.object({ at: z.string() }).optional(),
  /** Set once the app left the deployment repository, so it is reported once, not on every pass. */
  removedAt: z.string().optional(),
  reconciledCommit: z.string().optional(),
  /** Signed pointer records accepted (highest sequence per pointer) and the last refusal (src/agent/trust-gate.ts). */
  accepted: AcceptedSchema.optional(),
  refusal: RefusalSchema.optional(),
  /** The app's public address, "host:port": deploy.publish, or the one the agent assigned (kept across deploys). */
  publicAddress: z.string().optional(),
  /** The app's URL on the host's shared listener (deploy.hostname), e.g. http://hello.localhost:8000. */
  frontUrl: z.string().optional(),
  /**
   * Scaled to zero (deploy.scale.min 0): no instance runs and the front door holds connections;
   * a wake boots this release, the last one that passed its health check here.
   */
  asleep: z.object({ release: z.number().int().positive(), at: z.string() }).optional(),
  /** The last wake that failed (crash on boot, never healthy); cleared by the next one that serves. */
  lastWake: DeployResultSchema.optional(),
  /** Written before each step of a swap; a restarted agent resolves it (swap-recovery.ts). */
  swap: SwapRecordSchema.optional(),
  crashes: CrashRecordSchema.optional(),
  /** A release that failed for a host reason (disk full …): tried again at `at`, not held as failed. */
  retry: RetrySchema.optional(),
});

export const AgentStateSchema = z.object({
  version: z.literal(STATE_VERSION),
  apps: z.record(z.string(), AppStateSchema).default({}),
  /** Set by the first agent run with --trust: a later run without it is refused (no silent downgrade). */
  trust: TrustRecordSchema.optional(),
});

export type AgentState = z.output<typeof AgentStateSchema>;
export type AppState = z.output<typeof AppStateSchema>;
export type DeployResult = z.output<typeof DeployResultSchema>;
export type SwapRecord = z.output<typeof SwapRecordSchema>;
export type InstanceRecord = z.output<typeof InstanceRecordSchema>;
export type CrashRecord = z.output<typeof CrashRecordSchema>;
export type RetryRecord = z.output<typeof RetrySchema>;

export function emptyState(): AgentState {
  return { version: STATE_VERSION, apps: {} };
}

export function emptyAppState(): AppState {
  return { instances: [], failed: [] };
}
