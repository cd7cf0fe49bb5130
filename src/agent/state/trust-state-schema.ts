import { z } from "zod";

const ErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

/** The highest signed pointer record accepted for one pointer of an app (anti-rollback). */
export const AcceptedRecordSchema = z.object({
  sequence: z.number().int().nonnegative(),
  release: z.number().int().positive(),
  at: z.string(),
});

/** Per app: what this host accepted, per pointer. */
export const AcceptedSchema = z.object({
  current: AcceptedRecordSchema.optional(),
  staging: AcceptedRecordSchema.optional(),
});

/** The last release this host refused for an app; `active` until a later pass accepts one. */
export const RefusalSchema = z.object({
  release: z.number().int().positive().optional(),
  commit: z.string().optional(),
  at: z.string(),
  active: z.boolean(),
  error: ErrorSchema,
});

/** Set once an agent ran with --trust on this data dir: starting it later without --trust is refused. */
export const TrustRecordSchema = z.object({
  since: z.string(),
  keyids: z.array(z.string()),
  threshold: z.number().int().positive(),
});

export type AcceptedRecord = z.output<typeof AcceptedRecordSchema>;
export type Refusal = z.output<typeof RefusalSchema>;
export type TrustRecord = z.output<typeof TrustRecordSchema>;
