import { z } from "zod";
import { AppName } from "../config/index.js";
import { SkiffError } from "../errors/index.js";
import { parseEnvelope, signEnvelope, type SignedEnvelope } from "./envelope.js";
import { checkNotExpired } from "./expiry.js";
import { parseJsonBytes } from "./json-bytes.js";
import type { PrivateKey } from "./keys.js";
import { verifyEnvelope, type TrustPolicy } from "./verify-envelope.js";

/** A pointer record is a few hundred bytes; anything much bigger is refused unread. */
export const MAX_POINTER_BYTES = 64 * 1024;

/**
 * The signed form of <app>/current or <app>/staging, stored as <app>/current.json (staging.json).
 * `sequence` only grows per app; a rollback is a new record naming an older release with a higher one.
 */
export const PointerRecordSchema = z.strictObject({
  app: AppName,
  pointer: z.enum(["current", "staging"]),
  release: z.number().int().positive(),
  sequence: z.number().int().nonnegative(),
  /** sha256 (hex) of the release's manifest.json bytes: binds this record to exactly that manifest. */
  manifestSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  expires: z.iso.datetime().optional(),
  created: z.iso.datetime(),
});

export type PointerRecord = z.output<typeof PointerRecordSchema>;
export type PointerName = PointerRecord["pointer"];

/** The file name of a pointer's signed record beside the plain text file. */
export function pointerRecordFile(pointer: PointerName): string {
  return `${pointer}.json`;
}

/** Validates and signs a pointer record. */
export function signPointerRecord(
  record: PointerRecord,
  privateKeys: readonly PrivateKey[],
): SignedEnvelope<PointerRecord> {
  return signEnvelope(parsePointer(record), privateKeys);
}

export interface ReadSignedPointerOptions {
  /** The host's trusted keys; without them the record is parsed but its signatures are not checked. */
  trust?: TrustPolicy;
  maxBytes?: number;
}

/** Reads <app>/current.json: size cap, envelope shape, signatures (when trusted keys are given), schema. */
export function readSignedPointer(bytes: Uint8Array, options: ReadSignedPointerOptions = {}): PointerRecord {
  const maxBytes = options.maxBytes ?? MAX_POINTER_BYTES;
  if (bytes.length > maxBytes) {
    throw new SkiffError(
      "ERR_SKIFF_CURRENT_INVALID",
      `the pointer record is ${bytes.length} bytes, more than ${maxBytes}`,
      {
        hint: "a pointer record is a few hundred bytes; this one was not written by skiff",
        data: { size: bytes.length, max: maxBytes },
      },
    );
  }
  const value = parseJsonBytes(bytes, { code: "ERR_SKIFF_CURRENT_INVALID", what: "the pointer record" });
  const envelope = parseEnvelope(value, "ERR_SKIFF_CURRENT_INVALID", "the pointer record");
  return parsePointer(options.trust ? verifyEnvelope(envelope, options.trust) : envelope.signed);
}

export interface CheckPointerRecordOptions {
  app: string;
  /** Which pointer the record was read for (default current). */
  pointer?: PointerName;
  /** The highest sequence this host accepted for this app and pointer; undefined when it has none yet. */
  lastAcceptedSequence: number | undefined;
  /** The release accepted with that sequence: the same sequence naming another release is refused. */
  lastAcceptedRelease?: number;
  /** The plain <app>/current text ("N\n"), when present: it must agree with the signed record. */
  plainText?: string;
  now: Date;
}

/**
 * Pure checks of a verified pointer record before the agent acts on it: right app and pointer
 * (mix-and-match), sequence not lower than accepted (rollback / rewound git), not expired (freeze),
 * plain text in agreement. Returns the release to run.
 */
export function checkPointerRecord(record: PointerRecord, options: CheckPointerRecordOptions): number {
  const pointer = options.pointer ?? "current";
  if (record.app !== options.app || record.pointer !== pointer) {
    throw new SkiffError(
      "ERR_SKIFF_CURRENT_INVALID",
      `the record for ${options.app}/${pointer} is signed for ${record.app}/${record.pointer}`,
      {
        hint: "a signed record was copied from another app or pointer; refusing it",
        data: { app: record.app, pointer: record.pointer },
      },
    );
  }
  const last = options.lastAcceptedSequence;
  if (last !== undefined && record.sequence < last) {
    throw new SkiffError(
      "ERR_SKIFF_ROLLBACK_ATTACK",
      `${options.app}/${pointer} has sequence ${record.sequence}, lower than ${last} already accepted`,
      {
        hint: "the deployment repository was rewound or replayed; to roll back on purpose run skiff rollback --key <file.key>",
        data: { sequence: record.sequence, accepted: last },
      },
    );
  }
  if (
    last !== undefined &&
    record.sequence === last &&
    options.lastAcceptedRelease !== undefined &&
    record.release !== options.lastAcceptedRelease
  ) {
    throw new SkiffError(
      "ERR_SKIFF_ROLLBACK_ATTACK",
      `${options.app}/${pointer} sequence ${last} now names release ${record.release}, it named ${options.lastAcceptedRelease}`,
      {
        hint: "two different records carry one sequence number; sign a new record with skiff rollback --key <file.key>",
        data: { sequence: last },
      },
    );
  }
  checkNotExpired(record.expires, { now: options.now, what: `the ${pointer} record of ${options.app}` });
  if (options.plainText !== undefined && options.plainText.trim() !== String(record.release)) {
    throw new SkiffError(
      "ERR_SKIFF_CURRENT_INVALID",
      `${options.app}/${pointer} disagrees with its signed record (release ${record.release})`,
      {
        hint: "the plain pointer file was changed without a new signed record; store or roll back with skiff again",
        data: { release: record.release },
      },
    );
  }
  return record.release;
}

function parsePointer(value: unknown): PointerRecord {
  const result = PointerRecordSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SkiffError(
      "ERR_SKIFF_CURRENT_INVALID",
      `the pointer record is invalid at ${issue?.path.join(".") || "top level"}: ${issue?.message ?? "unknown"}`,
      {
        hint: "the record was not written by this version of skiff; store or roll back again",
      },
    );
  }
  return result.data;
}
