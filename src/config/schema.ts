import { z } from "zod";
import { DURATION_PATTERN, SIZE_PATTERN } from "./duration.js";

/**
 * The one schema of skiff.yml. Types are inferred from it, defaults live in it, and
 * schema/skiff.schema.json is generated from it (scripts/write-json-schema.ts).
 * Durations and sizes stay strings ("30s", "128M"); convert with parseDuration / parseMemoryMiB.
 */

export const APP_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
export const AppName = z
  .string()
  .regex(APP_NAME_PATTERN, "an app name is a-z, 0-9 and -, starting with a letter, at most 63 characters");

const Duration = z.string().regex(DURATION_PATTERN, "a duration such as 500ms, 30s, 10m, 2h");
const MemorySize = z.string().regex(SIZE_PATTERN, "a size such as 64M, 128M, 1G");
const HostPort = z
  .string()
  .regex(
    /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/,
    "an address as HOST:PORT, e.g. 0.0.0.0:80 or 127.0.0.1:8080",
  );
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment name such as PORT or MODE");
const Target = z.string().regex(/^[a-z][a-z0-9-]*$/, "a target such as unix, virtio, xen, hvt, spt");

const Driver = z.enum(["unix", "qemu", "xen", "solo5-hvt", "solo5-spt"]);

export const MatrixEntrySchema = z.strictObject({
  target: Target,
  env: z.record(EnvName, z.string()).default({}),
  artifact: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /**
   * Stored in the release; several entries may be (each host runs the first one it supports). A
   * matrix of one entry stores it unless it says deploy: false.
   */
  deploy: z.boolean().optional(),
  /** How a host boots this target when it differs from deploy.*: driver, args, memory, driver settings. */
  driver: Driver.optional(),
  args: z.array(z.string()).optional(),
  memory: MemorySize.optional(),
  qemu: z.record(z.string(), z.unknown()).optional(),
  xen: z.record(z.string(), z.unknown()).optional(),
  solo5: z.record(z.string(), z.unknown()).optional(),
});

export const BuildSchema = z.strictObject({
  command: z.string().min(1),
  test: z.string().min(1).optional(),
  timeout: Duration.default("10m"),
  /** The build and test commands may reach the network (inside the build sandbox); false cuts it off. */
  network: z.boolean().default(true),
  matrix: z
    .array(MatrixEntrySchema)
    .min(1)
    .transform((entries) =>
      entries.map((entry) => ({ ...entry, deploy: entry.deploy ?? entries.length === 1 })),
    ),
});

export const HealthSchema = z.strictObject({
  http: z.string().startsWith("/").default("/"),
  tcp: z.boolean().default(false),
  timeout: Duration.default("30s"),
  initial_delay: Duration.default("0s"),
  interval: Duration.default("250ms"),
  attempts: z.number().int().positive().optional(),
});

export const RestartSchema = z.strictObject({
  limit: z.number().int().min(0).default(5),
  backoff: Duration.default("1s"),
});

export const ProxySchema = z.strictObject({
  /** Replay the client's first bytes to the current backend when one closes before answering (idempotent traffic only). */
  replay: z.boolean().default(false),
  /**
   * What the publish port speaks: tcp (any bytes; one connection to the instance per client
   * connection) or http (the door reads requests, as on the shared listener: it keeps its
   * connections to instances and sends a GET again when an instance closed a kept one unanswered).
   */
  protocol: z.enum(["tcp", "http"]).default("tcp"),
});

/** A DNS name routed by its Host header on the host's shared listener (`--front`), e.g. hello.localhost. */
export const Hostname = z
  .string()
  .max(253)
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
    "a host name in lower case such as hello.localhost or hello.example.com",
  );

/** Replicas on one host and summoning on demand (docs/scaling.md). */
export const ScaleSchema = z
  .strictObject({
    /** 0: no instance until a connection arrives; 1 (default): always on. */
    min: z.number().int().min(0).max(64).default(1),
    /** Replicas of the app on this host. */
    max: z.number().int().min(1).max(64).default(1),
    /** An instance with no open connection for this long is drained and stopped (down to min). */
    idle: Duration.default("60s"),
    /** Target open connections per instance; sustained above it, another replica starts (up to max). */
    concurrency: z.number().int().min(1).max(100_000).default(20),
    /** A connection held while the app wakes waits at most this long, then 503 (HTTP) or a reset. */
    wake_timeout: Duration.default("10s"),
  })
  .refine((scale) => scale.min <= scale.max, {
    message: "scale.min must not be above scale.max",
    path: ["min"],
  });

/** Rolling deploys across the hosts of a fleet (docs/fleet.md); ignored by a host without --fleet. */
export const RolloutSchema = z.strictObject({
  /** Hosts swapping at once: a number, or a percentage of the hosts that run the app ("25%"). */
  max_parallel: z
    .union([
      z.number().int().min(1),
      z.string().regex(/^([1-9][0-9]?|100)%$/, "a number of hosts, or a percentage such as 25%"),
    ])
    .default(1),
  /** Wait after a host's confirmation window before the next host starts. */
  pause: Duration.default("0s"),
  /** A release that fails on one host is tried by no other. */
  halt_on_failure: z.boolean().default(true),
});

export const DeploySchema = z.strictObject({
  driver: Driver.default("unix"),
  port: z.number().int().min(1).max(65535).default(8080),
  memory: MemorySize.default("128M"),
  args: z.array(z.string()).default([]),
  env: z.record(EnvName, z.string()).default({}),
  health: HealthSchema.prefault({}),
  strategy: z.enum(["blue-green", "recreate"]).default("blue-green"),
  publish: HostPort.optional(),
  drain_timeout: Duration.default("30s"),
  confirm: Duration.default("30s"),
  restart: RestartSchema.prefault({}),
  stop_timeout: Duration.default("10s"),
  proxy: ProxySchema.prefault({}),
  /** Routed by Host header on the host's shared listener (skiff agent --front); publish may be set too. */
  hostname: Hostname.optional(),
  scale: ScaleSchema.prefault({}),
  rollout: RolloutSchema.prefault({}),
  /** Driver-specific settings, checked by the driver: deploy.qemu, deploy.xen, deploy.solo5. */
  qemu: z.record(z.string(), z.unknown()).optional(),
  xen: z.record(z.string(), z.unknown()).optional(),
  solo5: z.record(z.string(), z.unknown()).optional(),
});

export const ThresholdsSchema = z.strictObject({
  error_rate: z.number().min(0).max(1).optional(),
  p99: Duration.optional(),
});

export const LoadSchema = z.strictObject({
  duration: Duration.default("10s"),
  rate: z.number().positive().optional(),
  concurrency: z.number().int().positive().optional(),
  path: z.string().startsWith("/").default("/"),
  thresholds: ThresholdsSchema.prefault({}),
});

export const NetworkProfileSchema = z.strictObject({
  delay: Duration.optional(),
  jitter: Duration.optional(),
  bandwidth: z
    .string()
    .regex(/^\d+(\.\d+)?(bps|kbps|mbps|gbps|[KMG]B\/s)$/i, "a rate such as 1mbps or 512kbps")
    .optional(),
  loss: z.number().min(0).max(1).optional(),
  connection_loss: z.number().min(0).max(1).optional(),
  reset: z.number().min(0).max(1).optional(),
  duration: Duration.optional(),
  thresholds: ThresholdsSchema.prefault({}),
});

export const StageSchema = z.strictObject({
  tests: z.array(z.string().min(1)).default([]),
  timeout: Duration.default("5m"),
  load: LoadSchema.optional(),
  network: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), NetworkProfileSchema).default({}),
  promote: z.enum(["auto", "manual"]).default("auto"),
});

export const SkiffConfigSchema = z.strictObject({
  app: AppName,
  build: BuildSchema,
  deploy: DeploySchema.prefault({}),
  stage: StageSchema.optional(),
});

export type SkiffConfig = z.output<typeof SkiffConfigSchema>;
export type SkiffConfigInput = z.input<typeof SkiffConfigSchema>;
/** A matrix entry as parsed: `deploy` decided (a matrix of one entry stores it unless it says not to). */
export type MatrixEntry = z.output<typeof BuildSchema>["matrix"][number];
export type BuildConfig = z.output<typeof BuildSchema>;
export type DeployConfig = z.output<typeof DeploySchema>;
export type HealthConfig = z.output<typeof HealthSchema>;
export type ScaleConfig = z.output<typeof ScaleSchema>;
export type RolloutConfig = z.output<typeof RolloutSchema>;
export type StageConfig = z.output<typeof StageSchema>;
export type NetworkProfile = z.output<typeof NetworkProfileSchema>;
export type LoadConfig = z.output<typeof LoadSchema>;
export type Thresholds = z.output<typeof ThresholdsSchema>;
