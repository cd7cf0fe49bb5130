import { z } from "zod";
import { AppName } from "../config/index.js";
import { SkiffError } from "../errors/index.js";
import { parseEnvelope, verifyEnvelope, type TrustPolicy } from "../trust/index.js";

/**
 * The gc record: written by `skiff gc` in the commit it puts on top of the rewritten history, and
 * kept by every later commit (stores build on the tip's tree). A follower whose mirror holds
 * history the remote no longer has reads it to tell a gc's rewrite from any other
 * (docs/deployment-repository.md "Keeping the repository small").
 */
export const GC_RECORD_PATH = ".skiff/gc.json";
/** Far above what a record of thousands of releases takes. */
export const GC_RECORD_MAX_BYTES = 1024 * 1024;

const ObjectId = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/);

export const GcRecordSchema = z.strictObject({
  version: z.literal(1),
  /** One more than the record it replaced: which gc of this repository wrote it. */
  sequence: z.number().int().positive(),
  /** main before this gc. */
  previousTip: ObjectId,
  /**
   * previousTip and the tips main had before it (its first parents, newest first, a bounded few):
   * a follower that borrowed the old objects cannot read its tip any more, and finds it here.
   */
  replacedTips: z.array(ObjectId).max(1000),
  /** That commit as the rewrite wrote it (the parent of the commit holding this record). */
  rewrittenTip: ObjectId,
  created: z.iso.datetime(),
  /** Per app, every release whose images are gone from the history: this gc's and every earlier one's. */
  collected: z.record(AppName, z.array(z.number().int().positive()).max(1_000_000)),
  /** Per app, the releases this gc kept (the newest, current, the previous current, staging). */
  kept: z.record(AppName, z.array(z.number().int().positive()).max(1_000_000)),
});

export type GcRecord = z.output<typeof GcRecordSchema>;

/** Signs a record (the trust part's envelope, like a manifest's); without one the record is plain JSON. */
export type GcRecordSigner = (record: GcRecord) => string;

export function encodeGcRecord(record: GcRecord, sign?: GcRecordSigner): string {
  return sign ? sign(record) : JSON.stringify(record, null, 2) + "\n";
}

/**
 * Parses a gc record. With `trust` (a host that requires signatures) it must be a signed envelope
 * meeting the host's threshold; without, a plain record or the payload of an envelope is read.
 * Refusals are ERR_SKIFF_HISTORY_REWRITTEN, saying why the record does not count.
 */
export function readGcRecord(bytes: Buffer, options: { trust?: TrustPolicy } = {}): GcRecord {
  const refuse = (why: string, cause?: unknown): SkiffError =>
    new SkiffError("ERR_SKIFF_HISTORY_REWRITTEN", `the gc record ${GC_RECORD_PATH} ${why}`, {
      hint: "run skiff gc again on the deployment repository (with --key when hosts require signatures)",
      ...(cause === undefined ? {} : { cause }),
    });
  if (bytes.length > GC_RECORD_MAX_BYTES) throw refuse(`is larger than ${GC_RECORD_MAX_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw refuse("is not JSON");
  }
  const enveloped = typeof value === "object" && value !== null && "signatures" in value;
  let payload = value;
  if (options.trust) {
    if (!enveloped) throw refuse("is not signed, and this host requires signatures");
    try {
      payload = verifyEnvelope(
        parseEnvelope(value, "ERR_SKIFF_HISTORY_REWRITTEN", GC_RECORD_PATH),
        options.trust,
      );
    } catch (error) {
      throw refuse(`does not pass this host's trust policy: ${(error as Error).message}`, error);
    }
  } else if (enveloped) {
    payload = parseEnvelope(value, "ERR_SKIFF_HISTORY_REWRITTEN", GC_RECORD_PATH).signed;
  }
  const parsed = GcRecordSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw refuse(
      `is not a valid record (${issue?.path.join(".") || "top level"}: ${issue?.message ?? "invalid"})`,
    );
  }
  return parsed.data;
}
