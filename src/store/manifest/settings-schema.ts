import { z } from "zod";
import { DURATION_PATTERN, SIZE_PATTERN } from "../../config/index.js";

/**
 * The boot settings a release carries, in the manifest's own terms: the store owns these schemas
 * (not skiff.yml's), so a new skiff.yml key reaches manifests only through map-skiff-yml.ts, and an
 * agent never refuses a release over a key it has no use for. The defaults are those version 1
 * manifests had when a key was missing (a version 2 manifest always writes every core field).
 */

const Duration = z.string().regex(DURATION_PATTERN, "a duration such as 500ms, 30s, 10m, 2h");
const MemorySize = z.string().regex(SIZE_PATTERN, "a size such as 64M, 128M, 1G");
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment name such as PORT");
const Address = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "an address as HOST:PORT");
const DnsName = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
    "a lower-case host name",
  );
/** Driver-specific settings are the driver's to check (deploy.qemu, deploy.xen, deploy.solo5). */
const DriverSettings = z.record(z.string(), z.unknown());

export const HealthSettingsSchema = z.strictObject({
  http: z.string().startsWith("/").default("/"),
  tcp: z.boolean().default(false),
  timeout: Duration.default("30s"),
  initial_delay: Duration.default("0s"),
  interval: Duration.default("250ms"),
  attempts: z.number().int().positive().optional(),
});

export const ScaleSettingsSchema = z
  .strictObject({
    min: z.number().int().min(0).max(64).default(1),
    max: z.number().int().min(1).max(64).default(1),
    idle: Duration.default("60s"),
    concurrency: z.number().int().min(1).max(100_000).default(20),
    wake_timeout: Duration.default("10s"),
  })
  .refine((scale) => scale.min <= scale.max, { message: "scale.min is above scale.max", path: ["min"] });

export const RolloutSettingsSchema = z.strictObject({
  max_parallel: z.union([z.number().int().min(1), z.string().regex(/^([1-9][0-9]?|100)%$/)]).default(1),
  pause: Duration.default("0s"),
  halt_on_failure: z.boolean().default(true),
});

/** What every target of a release shares: how it is checked, swapped, exposed and scaled. */
export const DeploySettingsSchema = z.strictObject({
  /** The port the unikernel serves on inside. */
  port: z.number().int().min(1).max(65535).default(8080),
  env: z.record(EnvName, z.string()).default({}),
  health: HealthSettingsSchema.prefault({}),
  strategy: z.enum(["blue-green", "recreate"]).default("blue-green"),
  publish: Address.optional(),
  drain_timeout: Duration.default("30s"),
  confirm: Duration.default("30s"),
  restart: z
    .strictObject({ limit: z.number().int().min(0).default(5), backoff: Duration.default("1s") })
    .prefault({}),
  stop_timeout: Duration.default("10s"),
  proxy: z
    .strictObject({
      replay: z.boolean().default(false),
      // Written only when http (absent: tcp), so a manifest that does not use it is read by older agents.
      protocol: z.literal("http").optional(),
    })
    .prefault({}),
  hostname: DnsName.max(253).optional(),
  scale: ScaleSettingsSchema.prefault({}),
  rollout: RolloutSettingsSchema.prefault({}),
});

/** A driver name: a host that does not know one skips the target (a new driver is a minor change). */
export const DriverNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, "a driver name such as unix or qemu");
export const TargetNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, "a target such as unix or virtio");

/** How one target boots: its driver and the settings that differ between targets. */
export const TargetBootShape = {
  driver: DriverNameSchema,
  args: z.array(z.string()).default([]),
  memory: MemorySize.default("128M"),
  qemu: DriverSettings.optional(),
  xen: DriverSettings.optional(),
  solo5: DriverSettings.optional(),
};

export type DeploySettings = z.output<typeof DeploySettingsSchema>;
export type TargetBoot = z.output<z.ZodObject<typeof TargetBootShape>>;
