import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { PassThrough, Transform, type Duplex } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { SkiffError, classifyHostFault, isSkiffError } from "../errors/index.js";
import { createProcessReader, type ObjectReader, type TreeEntry } from "../git/index.js";
import { isRegularFile } from "./app-state.js";
import { releaseDir } from "./layout.js";
import type { Manifest, ManifestFile } from "./manifest/index.js";
import { isCollected, releaseCollectedError } from "./release-images.js";

export interface UnpackReleaseOptions {
  mirror: string;
  commit: string;
  manifest: Manifest;
  /** The folder that holds the unpacked files once every check passed. */
  dest: string;
  /** How objects are read (the agent's batch session); default one git process per read. */
  reader?: ObjectReader;
}

/** Bytes per chunk through gunzip, checks and the file: a few large hops, not ~50 of 16 kB (each a turn of the event loop). */
const CHUNK_BYTES = 256 * 1024;

/** Written last into an unpack: the digest of the manifest's files it was verified against. */
export const UNPACK_MARKER = ".skiff-unpacked";

/**
 * Unpacks a release's files (the target chosen for this host) into `dest`, checking stored size,
 * size and sha256 of each; nothing lands in `dest` unless all of them pass. Returns file name →
 * absolute path. A fault of the host (disk full, no file descriptors, permissions) is that host
 * error (retryable), never a damaged release.
 */
export async function unpackRelease(options: UnpackReleaseOptions): Promise<Record<string, string>> {
  const { manifest, dest } = options;
  try {
    return await unpackChecked(options);
  } catch (error) {
    const fault = classifyHostFault(error, {
      path: dest,
      action: `unpacking ${manifest.app} release ${manifest.release}`,
      neededBytes: manifest.files.reduce((sum, file) => sum + file.size, 0),
    });
    throw fault ?? error;
  }
}

async function unpackChecked(options: UnpackReleaseOptions): Promise<Record<string, string>> {
  const { manifest, dest } = options;
  const digest = filesDigest(manifest.files);
  const paths = Object.fromEntries(manifest.files.map((file) => [file.name, join(dest, file.name)]));
  if (await isVerifiedUnpack(dest, digest, manifest.files)) return paths;
  const folder = releaseDir(manifest.app, manifest.release);
  const reader = options.reader ?? createProcessReader(options.mirror);
  const entries = await listStoredFiles(reader, options.commit, folder, manifest);
  if (isCollected(entries, manifest.app, manifest.release))
    throw releaseCollectedError(manifest.app, manifest.release);
  await mkdir(dirname(dest), { recursive: true });
  const temp = await mkdtemp(join(dirname(dest), `.${basename(dest)}.unpack-`));
  try {
    for (const file of manifest.files) {
      const entry = checkStoredEntry(entries, `${folder}/${file.stored}`, file);
      await unpackFile(reader, entry, file, join(temp, file.name));
    }
    await writeFile(join(temp, UNPACK_MARKER), digest + "\n");
    await rm(dest, { recursive: true, force: true });
    await rename(temp, dest);
    return paths;
  } finally {
    // Before the error is classified: the free space it reports is what the host has without it.
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * The release folder's entries, once every stored file the manifest names is here: a partial
 * mirror fetches the missing ones (its images) in one request before any is read.
 */
async function listStoredFiles(
  reader: ObjectReader,
  commit: string,
  folder: string,
  manifest: Manifest,
): Promise<TreeEntry[]> {
  const entries = await reader.listTree(commit, `${folder}/`);
  const stored = new Set(manifest.files.map((file) => `${folder}/${file.stored}`));
  const absent = entries.filter((e) => stored.has(e.path) && e.type === "blob" && e.size === undefined);
  if (absent.length === 0 || reader.ensureObjects === undefined) return entries;
  await reader.ensureObjects(absent.map((entry) => entry.object));
  return reader.listTree(commit, `${folder}/`);
}

/** sha256 over the manifest's file list: the same files, sizes and checksums give the same digest. */
export function filesDigest(files: readonly ManifestFile[]): string {
  return createHash("sha256").update(JSON.stringify(files)).digest("hex");
}

async function isVerifiedUnpack(
  dest: string,
  digest: string,
  files: readonly ManifestFile[],
): Promise<boolean> {
  const marker = await readFile(join(dest, UNPACK_MARKER), "utf8").catch(() => undefined);
  if (marker?.trim() !== digest) return false;
  for (const file of files) {
    const info = await stat(join(dest, file.name)).catch(() => undefined);
    if (!info?.isFile() || info.size !== file.size) return false;
  }
  return true;
}

function checkStoredEntry(entries: readonly TreeEntry[], path: string, file: ManifestFile): TreeEntry {
  const entry = entries.find((e) => e.path === path);
  const hint = "the release in the deployment repository is damaged: store it again, or roll back";
  if (!entry)
    throw new SkiffError("ERR_SKIFF_ARTIFACT_MISSING", `${path} is missing`, { hint, data: { path } });
  if (!isRegularFile(entry)) {
    throw new SkiffError("ERR_SKIFF_ARTIFACT_CORRUPT", `${path} is not a regular file (mode ${entry.mode})`, {
      hint,
      data: { path },
    });
  }
  if (entry.size !== file.storedSize) {
    throw new SkiffError(
      "ERR_SKIFF_SIZE_MISMATCH",
      `${path} is ${entry.size} bytes, the manifest says ${file.storedSize}`,
      {
        hint,
        data: { path, expected: file.storedSize, actual: entry.size },
      },
    );
  }
  return entry;
}

async function unpackFile(
  reader: ObjectReader,
  entry: TreeEntry,
  file: ManifestFile,
  target: string,
): Promise<void> {
  const blob = reader.openBlobStream(entry.object);
  const hash = createHash("sha256");
  let size = 0;
  const hint = "the release in the deployment repository is damaged: store it again, or roll back";
  const measure = new Transform({
    highWaterMark: CHUNK_BYTES,
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      // Stop at the manifest's size: a gzip bomb never fills the disk.
      if (size > file.size) {
        done(
          new SkiffError("ERR_SKIFF_SIZE_MISMATCH", `${file.name} unpacks to more than ${file.size} bytes`, {
            hint,
            data: { name: file.name },
          }),
        );
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      blob.stream,
      decompressor(file),
      measure,
      createWriteStream(target, { mode: 0o600, highWaterMark: CHUNK_BYTES }),
    );
    await blob.done;
  } catch (error) {
    // git's exit status no longer matters once the bytes were refused.
    void blob.done.catch(() => undefined);
    blob.cancel();
    // A full disk or a missing file descriptor is the host's fault, classified by the caller.
    if (isSkiffError(error) || classifyHostFault(error)) throw error;
    throw new SkiffError(
      "ERR_SKIFF_ARTIFACT_CORRUPT",
      `${file.stored} cannot be unpacked: ${(error as Error).message}`,
      {
        hint,
        data: { name: file.name },
      },
    );
  }
  if (size !== file.size) {
    throw new SkiffError(
      "ERR_SKIFF_SIZE_MISMATCH",
      `${file.name} unpacks to ${size} bytes, the manifest says ${file.size}`,
      {
        hint,
        data: { name: file.name, expected: file.size, actual: size },
      },
    );
  }
  const sha256 = hash.digest("hex");
  if (sha256 !== file.sha256) {
    throw new SkiffError(
      "ERR_SKIFF_CHECKSUM_MISMATCH",
      `${file.name} has sha256 ${sha256}, the manifest says ${file.sha256}`,
      {
        hint,
        data: { name: file.name, expected: file.sha256, actual: sha256 },
      },
    );
  }
  await chmod(target, file.mode);
}

function decompressor(file: ManifestFile): Duplex {
  if (file.compression === "gzip") return createGunzip({ chunkSize: CHUNK_BYTES });
  if (file.compression === "none") return new PassThrough();
  throw new SkiffError(
    "ERR_SKIFF_ARTIFACT_CORRUPT",
    `${file.name} uses ${file.compression} compression, which this skiff cannot unpack`,
    {
      hint: "store the release again with this skiff version (it writes gzip)",
    },
  );
}
