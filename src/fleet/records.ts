import { z } from "zod";
import { AppName, RolloutSchema } from "../config/index.js";

/** The values stored under the fleet's keys (keys.ts), as JSON. Read with parseRecord: a torn or foreign value is skipped. */

/** A host name: one path segment of a key, as a DNS label or a dotted name. */
export const HOST_NAME_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,62})$/;
export const HostName = z
  .string()
  .regex(HOST_NAME_PATTERN, "a host name is letters, digits, '.', '_' and '-', at most 63 characters");

export const LABEL_KEY_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,62})$/;
export const Labels = z.record(z.string().regex(LABEL_KEY_PATTERN), z.string().max(253));

const ErrorRecord = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const SYNC_STATUSES = ["Synced", "OutOfSync", "Progressing"] as const;
export const HEALTH_STATUSES = ["Healthy", "Degraded", "Missing", "Suspended"] as const;

export const HostRecordSchema = z.object({
  host: HostName,
  labels: Labels,
  /** Which run of the agent wrote it (one per connectFleet call). */
  session: z.string(),
  started: z.string(),
  pid: z.number().int(),
});

/** What one host says about one app (HostAppStatus in types.ts, as stored). */
export const AppStatusSchema = z.object({
  app: AppName,
  /** The release the host runs; null: none. */
  release: z.number().int().positive().nullable(),
  sync: z.enum(SYNC_STATUSES),
  health: z.enum(HEALTH_STATUSES),
  drivers: z.array(z.string()),
  targets: z.array(z.string()),
  error: ErrorRecord.optional(),
});

export const StoredAppStatusSchema = AppStatusSchema.extend({ host: HostName, updated: z.string() });

/** A rollout's settings, fixed by the first host that asks for a slot (all hosts read the same manifest). */
export const SpecRecordSchema = z.object({
  app: AppName,
  release: z.number().int().positive(),
  max_parallel: RolloutSchema.shape.max_parallel.unwrap(),
  pause: z.string(),
  halt_on_failure: z.boolean(),
  started: z.string(),
  by: HostName,
});

export const SlotRecordSchema = z.object({
  host: HostName,
  /** When the host joined the queue. */
  since: z.string(),
  /** When it took the slot and started swapping (set by the holder). */
  swapping: z.string().optional(),
});

export const DoneRecordSchema = z.object({
  host: HostName,
  ok: z.boolean(),
  error: ErrorRecord.optional(),
  at: z.string(),
});

export const FailedRecordSchema = z.object({
  host: HostName,
  error: ErrorRecord,
  at: z.string(),
  /** halt_on_failure of the rollout: hosts that have not swapped yet do not try it. */
  halted: z.boolean(),
});

export const LastReleaseRecordSchema = z.object({ host: HostName, at: z.string() });

export const PausedRecordSchema = z.object({ by: z.string(), at: z.string() });

export type HostRecord = z.output<typeof HostRecordSchema>;
export type StoredAppStatus = z.output<typeof StoredAppStatusSchema>;
export type SpecRecord = z.output<typeof SpecRecordSchema>;
export type SlotRecord = z.output<typeof SlotRecordSchema>;
export type DoneRecord = z.output<typeof DoneRecordSchema>;
export type FailedRecord = z.output<typeof FailedRecordSchema>;
export type LastReleaseRecord = z.output<typeof LastReleaseRecordSchema>;
export type PausedRecord = z.output<typeof PausedRecordSchema>;

/** The value parsed by its schema, or undefined for one that is not JSON or does not match. */
export function parseRecord<T>(schema: z.ZodType<T>, value: Buffer | string): T | undefined {
  try {
    const result = schema.safeParse(JSON.parse(value.toString()));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
