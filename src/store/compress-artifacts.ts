import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { SkiffError } from "../errors/index.js";
import { ReleaseFileName, type ManifestFile } from "./manifest/index.js";
import type { StoreArtifact } from "./types.js";

const CHUNK = 1 << 20;

/** A manifest file entry plus where its compressed bytes wait to be committed. */
export interface CompressedArtifact {
  file: ManifestFile;
  gzPath: string;
}

/**
 * Gzips every artifact into `dir`, checking each against the size and sha256 the build recorded.
 * `prefix` starts each stored name (a release of several targets: "virtio." before "kernel.gz").
 */
export async function compressArtifacts(
  artifacts: readonly StoreArtifact[],
  dir: string,
  options: { signal?: AbortSignal; prefix?: string } = {},
): Promise<CompressedArtifact[]> {
  const names = new Set<string>();
  const out: CompressedArtifact[] = [];
  for (const artifact of artifacts) {
    const name = artifact.name || basename(artifact.path);
    if (!ReleaseFileName.safeParse(name).success || names.has(name)) {
      throw new SkiffError(
        "ERR_SKIFF_STORE_FAILED",
        `artifact name "${name}" is not a unique plain file name`,
        {
          hint: "give each artifact in the matrix entry a distinct file name without / or ..",
        },
      );
    }
    names.add(name);
    const stored = `${options.prefix ?? ""}${name}.gz`;
    out.push(await compressArtifact(artifact, { name, stored }, join(dir, stored), options.signal));
  }
  return out;
}

async function compressArtifact(
  artifact: StoreArtifact,
  { name, stored }: { name: string; stored: string },
  gzPath: string,
  signal?: AbortSignal,
): Promise<CompressedArtifact> {
  const info = await stat(artifact.path).catch(() => undefined);
  if (!info?.isFile()) {
    throw new SkiffError("ERR_SKIFF_ARTIFACT_MISSING", `artifact ${artifact.path} is gone`, {
      hint: "run skiff build again, then skiff store",
    });
  }
  const hash = createHash("sha256");
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  // Level 1: half the time of the default 6 for ~6% more bytes (docs/decisions.md); 1 MiB chunks
  // instead of 64 KiB / 16 KiB: a quarter less time in stream hand-offs, a few MiB of memory at most.
  await pipeline(
    createReadStream(artifact.path, { highWaterMark: CHUNK }),
    measure,
    createGzip({ level: 1, chunkSize: CHUNK }),
    createWriteStream(gzPath),
    { signal },
  );
  const sha256 = hash.digest("hex");
  if (sha256 !== artifact.sha256 || size !== artifact.size) {
    throw new SkiffError(
      "ERR_SKIFF_CHECKSUM_MISMATCH",
      `artifact ${artifact.path} changed since it was built`,
      {
        hint: "run skiff build again, then skiff store",
        data: { expected: artifact.sha256, actual: sha256 },
      },
    );
  }
  const storedSize = (await stat(gzPath)).size;
  const mode = artifact.mode & 0o777;
  return {
    file: { name, size, sha256, compression: "gzip", stored, storedSize, mode },
    gzPath,
  };
}
