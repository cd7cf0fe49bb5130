import { z } from "zod";
import { SkiffConfigSchema } from "../config/index.js";

/**
 * build.json of one build (<outDir>/<buildId>/build.json). In the file, logPath and artifact paths
 * are relative to the build folder so a build folder can be moved (CI caches); readBuild makes them absolute.
 */

export const BUILD_SUMMARY_VERSION = 1;

export const BuildStepNameSchema = z.enum(["build", "test"]);

export const StepRecordSchema = z.strictObject({
  step: BuildStepNameSchema,
  command: z.string(),
  durationMs: z.number().nonnegative(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable().optional(),
  timedOut: z.boolean().default(false),
  logPath: z.string(),
  /** Bytes the step printed (its log keeps the last part of them: step-log.ts). */
  outputBytes: z.number().int().nonnegative().optional(),
});

export const ArtifactRecordSchema = z.strictObject({
  /** The basename, as stored and unpacked. */
  name: z.string(),
  /** Where the build left it, relative to the checkout (as written in skiff.yml). */
  source: z.string(),
  path: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Unix permission bits (0o755 for executables). */
  mode: z.number().int().min(0).max(0o777),
});

export const TargetRecordSchema = z.strictObject({
  target: z.string(),
  deploy: z.boolean(),
  env: z.record(z.string(), z.string()),
  status: z.enum(["succeeded", "failed"]),
  durationMs: z.number().nonnegative(),
  steps: z.array(StepRecordSchema),
  artifacts: z.array(ArtifactRecordSchema),
});

export const BuildSummarySchema = z.strictObject({
  version: z.literal(BUILD_SUMMARY_VERSION),
  buildId: z.string(),
  /** Absolute path of the build folder (set when read; not trusted from the file). */
  dir: z.string(),
  app: z.string(),
  commit: z.string(),
  /** The source repository: its origin URL (credentials hidden) if it has one, else its path. */
  repository: z.string(),
  branch: z.string().optional(),
  status: z.enum(["succeeded", "failed"]),
  error: z
    .strictObject({
      code: z.string(),
      message: z.string(),
      hint: z.string().optional(),
      data: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  started: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
  config: SkiffConfigSchema,
  targets: z.array(TargetRecordSchema),
});

export type BuildStepName = z.output<typeof BuildStepNameSchema>;
export type StepRecord = z.output<typeof StepRecordSchema>;
export type ArtifactRecord = z.output<typeof ArtifactRecordSchema>;
export type TargetRecord = z.output<typeof TargetRecordSchema>;
export type BuildSummary = z.output<typeof BuildSummarySchema>;
