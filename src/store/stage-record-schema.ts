import { z } from "zod";

/**
 * <app>/releases/<N>/stage.json: the staging verdict of a release and the figures it rests on,
 * written by a staging agent. Read with the non-strict schema: newer writers may add fields.
 */

export const STAGE_RECORD_FILE = "stage.json";
export const STAGE_RECORD_VERSION = 1;
/** Largest stage.json anyone reads (outputs are capped well below it). */
export const STAGE_RECORD_MAX_BYTES = 256 * 1024;

const LatencySchema = z.object({
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  max: z.number(),
  mean: z.number(),
});

export const StageFiguresSchema = z.object({
  requests: z.number(),
  ok: z.number(),
  non2xx: z.number(),
  errors: z.number(),
  errorKinds: z.record(z.string(), z.number()),
  errorRate: z.number(),
  rate: z.number(),
  durationMs: z.number(),
  latency: LatencySchema,
});

export const StageFailureSchema = z.object({
  step: z.enum(["release", "health", "test", "load", "profile", "timeout"]),
  name: z.string(),
  /** What was exceeded: exit (a test's exit code), error_rate, p99, health. */
  threshold: z.string().optional(),
  limit: z.number().optional(),
  actual: z.number().optional(),
  /** One line for people: "p99 812ms > 300ms under delay-200". */
  message: z.string(),
});

export const StageTestResultSchema = z.object({
  command: z.string(),
  exitCode: z.number().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  durationMs: z.number(),
  /** The last bytes of stdout and stderr, interleaved. */
  output: z.string(),
  truncated: z.boolean(),
  passed: z.boolean(),
});

export const StageLoadResultSchema = z.object({
  /** "load" for the plain load test, else the network profile's name. */
  name: z.string(),
  kind: z.enum(["load", "profile"]),
  path: z.string(),
  rate: z.number().optional(),
  concurrency: z.number().optional(),
  durationMs: z.number(),
  thresholds: z.object({ error_rate: z.number().optional(), p99: z.string().optional() }),
  figures: StageFiguresSchema,
  /** Profiles: the impairment applied and what the proxy did. */
  impairment: z.record(z.string(), z.number()).optional(),
  proxy: z.record(z.string(), z.number()).optional(),
  passed: z.boolean(),
});

export const StageRecordSchema = z.object({
  version: z.literal(STAGE_RECORD_VERSION),
  app: z.string(),
  release: z.number().int().positive(),
  verdict: z.enum(["passed", "failed"]),
  /** The first failure's message, or "passed". */
  summary: z.string(),
  started: z.iso.datetime(),
  durationMs: z.number(),
  host: z.string().optional(),
  tests: z.array(StageTestResultSchema),
  loads: z.array(StageLoadResultSchema),
  failures: z.array(StageFailureSchema),
});

export type StageRecord = z.output<typeof StageRecordSchema>;
export type StageFigures = z.output<typeof StageFiguresSchema>;
export type StageFailure = z.output<typeof StageFailureSchema>;
export type StageTestResult = z.output<typeof StageTestResultSchema>;
export type StageLoadResult = z.output<typeof StageLoadResultSchema>;
