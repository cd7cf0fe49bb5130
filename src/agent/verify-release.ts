import { SkiffError } from "../errors/index.js";
import { createProcessReader, type ObjectReader, type TreeEntry } from "../git/index.js";
import {
  MANIFEST_MAX_BYTES,
  manifestPath,
  pointerPath,
  readSignedManifest,
  type ReleaseManifest,
} from "../store/index.js";
import {
  MAX_POINTER_BYTES,
  checkPointerRecord,
  pointerRecordFile,
  readSignedPointer,
  type PointerName,
  type PointerRecord,
  type TrustPolicy,
} from "../trust/index.js";
import type { AcceptedRecord } from "./trust-state-schema.js";

export interface VerifyPointerOptions {
  /** The agent's mirror and the commit this pass reconciles to. */
  mirror: string;
  commit: string;
  /** How objects are read (the agent's batch session); default one git process per read. */
  reader?: ObjectReader;
  app: string;
  pointer: PointerName;
  /** Keys from the agent's own options, never from the repository. */
  trust: TrustPolicy;
  /** The highest record this host accepted for this app and pointer. */
  accepted: AcceptedRecord | undefined;
  now: Date;
}

export interface VerifiedPointer {
  record: PointerRecord;
  manifest: ReleaseManifest;
}

/**
 * The agent's trust checks for one app, before anything runs: the signed pointer record (size,
 * signatures, app and pointer, sequence not below the accepted one, expiry, agreement with the plain
 * pointer), then the manifest it binds (exact bytes, size, signatures, app and folder, version, expiry).
 * Returns undefined when the app has neither the plain pointer nor its record.
 */
export async function verifyPointer(options: VerifyPointerOptions): Promise<VerifiedPointer | undefined> {
  const { app, pointer } = options;
  const reader = options.reader ?? createProcessReader(options.mirror);
  const entries = await reader.listTree(options.commit, `${app}/`);
  const plainPath = pointerPath(app, pointer);
  const recordPath = `${app}/${pointerRecordFile(pointer)}`;
  const plainEntry = findEntry(entries, plainPath);
  const recordEntry = findEntry(entries, recordPath);
  if (plainEntry === undefined && recordEntry === undefined) return undefined;
  if (recordEntry === undefined) {
    throw new SkiffError(
      "ERR_SKIFF_UNSIGNED",
      `${plainPath} has no signed record, and this host requires one`,
      {
        hint: "store with a trusted key (skiff store --key <file.key>) or sign the pointer with skiff rollback --key",
        data: { app, pointer },
      },
    );
  }
  const recordBytes = await readEntry(reader, recordEntry, MAX_POINTER_BYTES, "ERR_SKIFF_CURRENT_INVALID");
  const record = readSignedPointer(recordBytes, { trust: options.trust });
  const plainText =
    plainEntry === undefined
      ? undefined
      : (await readEntry(reader, plainEntry, 64, "ERR_SKIFF_CURRENT_INVALID")).toString("latin1");
  checkPointerRecord(record, {
    app,
    pointer,
    lastAcceptedSequence: options.accepted?.sequence,
    ...(options.accepted ? { lastAcceptedRelease: options.accepted.release } : {}),
    ...(plainText === undefined ? {} : { plainText }),
    now: options.now,
  });
  if (record.manifestSha256 === undefined) {
    throw new SkiffError("ERR_SKIFF_CURRENT_INVALID", `the ${pointer} record of ${app} binds no manifest`, {
      hint: "sign the pointer again with this skiff: skiff rollback --key or skiff resign --key",
    });
  }
  const path = manifestPath(app, record.release);
  const manifestEntry = findEntry(entries, path);
  if (manifestEntry === undefined) {
    throw new SkiffError(
      "ERR_SKIFF_NO_SUCH_RELEASE",
      `${app} has no release ${record.release} (no ${path})`,
      {
        hint: "the signed record names a release that is not in this commit; store it again",
        data: { app, release: record.release },
      },
    );
  }
  const manifestBytes = await readEntry(
    reader,
    manifestEntry,
    MANIFEST_MAX_BYTES,
    "ERR_SKIFF_MANIFEST_INVALID",
  );
  const manifest = readSignedManifest(manifestBytes, {
    trust: options.trust,
    app,
    release: record.release,
    sha256: record.manifestSha256,
    now: options.now,
  });
  return { record, manifest };
}

function findEntry(entries: readonly TreeEntry[], path: string): TreeEntry | undefined {
  return entries.find((entry) => entry.path === path);
}

/** A regular file's bytes, bounded: a symlink or a file above `maxBytes` is refused unread. */
async function readEntry(
  reader: ObjectReader,
  entry: TreeEntry,
  maxBytes: number,
  invalidCode: "ERR_SKIFF_CURRENT_INVALID" | "ERR_SKIFF_MANIFEST_INVALID",
): Promise<Buffer> {
  if (entry.mode === "120000") {
    throw new SkiffError("ERR_SKIFF_PATH_ESCAPE", `${entry.path} is a symlink`, {
      hint: "skiff never writes symlinks into a deployment repository; find out who did",
      data: { path: entry.path },
    });
  }
  if (entry.type !== "blob" || (entry.mode !== "100644" && entry.mode !== "100755")) {
    throw new SkiffError(invalidCode, `${entry.path} is not a regular file`, {
      hint: "the deployment repository was not written by skiff; store the release again",
      data: { path: entry.path },
    });
  }
  if ((entry.size ?? Infinity) > maxBytes) {
    const code = invalidCode === "ERR_SKIFF_MANIFEST_INVALID" ? "ERR_SKIFF_MANIFEST_TOO_LARGE" : invalidCode;
    throw new SkiffError(code, `${entry.path} is ${entry.size} bytes, more than ${maxBytes}`, {
      hint: "a file this large was not written by skiff; refusing to read it",
      data: { path: entry.path, size: entry.size ?? null, max: maxBytes },
    });
  }
  return reader.readBlobBytes(entry.object, maxBytes);
}
