import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { SkiffError } from "../../errors/index.js";
import { listTree, readFileAt } from "../../git/index.js";
import type { Manifest, ManifestFile } from "../manifest-schema.js";
import { bunzip2Blob } from "./bunzip2.js";
import { TEMPLATE_PATHS, parseLatest, requirePlainFile } from "./layout.js";

export interface UnpackMirageReleaseOptions {
  mirror: string;
  commit: string;
  /** From readMirageManifest at the same commit. */
  manifest: Manifest;
  /** The folder that holds the unpacked files once every check passed. */
  dest: string;
}

const HINT = "the deployment repository changed under the agent, or the kernel is damaged: push it again";

/**
 * Unpacks a 2015 release (kernel bunzip2'd, template as is) into `dest`, checking each file's size and
 * sha256 against the manifest; nothing lands in `dest` unless all pass. Returns file name → absolute path.
 */
export async function unpackMirageRelease(
  options: UnpackMirageReleaseOptions,
): Promise<Record<string, string>> {
  const { mirror, commit, manifest, dest } = options;
  const id = parseLatest(manifest.source.commit);
  await mkdir(dirname(dest), { recursive: true });
  const temp = await mkdtemp(join(dirname(dest), `.${basename(dest)}.unpack-`));
  try {
    for (const file of manifest.files) {
      const target = join(temp, file.name);
      const isTemplate = TEMPLATE_PATHS.some((t) => t.path === file.stored);
      const path = isTemplate ? file.stored : `xen/${id}/${file.stored}`;
      const entry = (await listTree(mirror, commit, path)).find((e) => e.path === path);
      if (!entry)
        throw new SkiffError("ERR_SKIFF_ARTIFACT_MISSING", `${path} is missing at ${commit.slice(0, 12)}`, {
          hint: HINT,
        });
      requirePlainFile(entry);
      const actual = isTemplate
        ? await writeText(target, (await readFileAt(mirror, commit, path)) ?? "")
        : await bunzip2Blob({
            mirror,
            object: entry.object,
            name: file.name,
            maxBytes: file.size,
            dest: target,
          });
      checkFile(file, actual);
      await chmod(target, file.mode);
    }
    await rm(dest, { recursive: true, force: true });
    await rename(temp, dest);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return Object.fromEntries(manifest.files.map((file) => [file.name, join(dest, file.name)]));
}

async function writeText(target: string, text: string): Promise<{ size: number; sha256: string }> {
  await writeFile(target, text, { mode: 0o600 });
  return { size: Buffer.byteLength(text), sha256: createHash("sha256").update(text).digest("hex") };
}

function checkFile(file: ManifestFile, actual: { size: number; sha256: string }): void {
  if (actual.size !== file.size) {
    throw new SkiffError(
      "ERR_SKIFF_SIZE_MISMATCH",
      `${file.name} unpacks to ${actual.size} bytes, expected ${file.size}`,
      {
        hint: HINT,
        data: { name: file.name, expected: file.size, actual: actual.size },
      },
    );
  }
  if (actual.sha256 !== file.sha256) {
    throw new SkiffError(
      "ERR_SKIFF_CHECKSUM_MISMATCH",
      `${file.name} has sha256 ${actual.sha256}, expected ${file.sha256}`,
      {
        hint: HINT,
        data: { name: file.name, expected: file.sha256, actual: actual.sha256 },
      },
    );
  }
}
