import { z } from "zod";
import { DURATION_PATTERN } from "../../config/index.js";

/** The stage: section as a release carries it (the store's schema, mapped from skiff.yml's). */

const Duration = z.string().regex(DURATION_PATTERN, "a duration such as 500ms, 30s, 10m, 2h");

const ThresholdsSchema = z.strictObject({
  error_rate: z.number().min(0).max(1).optional(),
  p99: Duration.optional(),
});

const LoadSchema = z.strictObject({
  duration: Duration.default("10s"),
  rate: z.number().positive().optional(),
  concurrency: z.number().int().positive().optional(),
  path: z.string().startsWith("/").default("/"),
  thresholds: ThresholdsSchema.prefault({}),
});

const NetworkProfileSchema = z.strictObject({
  delay: Duration.optional(),
  jitter: Duration.optional(),
  bandwidth: z
    .string()
    .regex(/^\d+(\.\d+)?(bps|kbps|mbps|gbps|[KMG]B\/s)$/i)
    .optional(),
  loss: z.number().min(0).max(1).optional(),
  connection_loss: z.number().min(0).max(1).optional(),
  reset: z.number().min(0).max(1).optional(),
  duration: Duration.optional(),
  thresholds: ThresholdsSchema.prefault({}),
});

export const StageSettingsSchema = z.strictObject({
  tests: z.array(z.string().min(1)).default([]),
  timeout: Duration.default("5m"),
  load: LoadSchema.optional(),
  network: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), NetworkProfileSchema).default({}),
  promote: z.enum(["auto", "manual"]).default("auto"),
});

export type StageSettings = z.output<typeof StageSettingsSchema>;
