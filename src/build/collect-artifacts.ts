import { chmod, copyFile, link, mkdir, realpath, stat } from "node:fs/promises";
import { basename, isAbsolute, join, relative, resolve, sep } from "node:path";
import { SkiffError } from "../errors/index.js";
import { earlyDigestOf, type EarlyDigests } from "./early-digests.js";
import { sha256File } from "./sha256-file.js";
import type { ArtifactRecord } from "./summary-schema.js";

export interface CollectArtifactsOptions {
  target: string;
  /** The clean checkout the build ran in. */
  checkout: string;
  /** artifact from the matrix entry: one path or a list, relative to the checkout. */
  artifact: string | readonly string[];
  /** <build>/artifacts/<target> */
  destDir: string;
  /** Digests computed while the test step ran; used only for files unchanged since. */
  early?: EarlyDigests;
}

/** Copies the entry's artifact files out of the checkout, keeping their permission bits, with size and sha256. */
export async function collectArtifacts(options: CollectArtifactsOptions): Promise<ArtifactRecord[]> {
  const paths = typeof options.artifact === "string" ? [options.artifact] : [...options.artifact];
  const names = new Set<string>();
  const records: ArtifactRecord[] = [];
  await mkdir(options.destDir, { recursive: true });
  for (const path of paths) {
    const source = await locateArtifact(options, path);
    // The name the user wrote, even when the build left a symlink to a differently named file.
    const name = basename(path);
    if (names.has(name)) {
      throw new SkiffError(
        "ERR_SKIFF_CONFIG_INVALID",
        `target ${options.target}: two artifacts are named ${name}`,
        {
          hint: "artifact files of one matrix entry must have different file names",
          data: { target: options.target, path },
        },
      );
    }
    names.add(name);
    const dest = join(options.destDir, name);
    const info = await stat(source);
    const early = await earlyDigestOf(options.early, source);
    await linkOrCopy(source, dest);
    const mode = info.mode & 0o777;
    await chmod(dest, mode);
    records.push({
      name,
      source: path,
      path: dest,
      size: info.size,
      sha256: early ?? (await sha256File(dest)),
      mode,
    });
  }
  return records;
}

/** The real path of one artifact; it must be a regular file inside the checkout. */
async function locateArtifact(options: CollectArtifactsOptions, path: string): Promise<string> {
  const { target, checkout } = options;
  const data = { target, path };
  const root = await realpath(checkout);
  const escapes = (p: string): boolean => {
    const rel = relative(root, p);
    return rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  };
  if (isAbsolute(path) || escapes(resolve(root, path))) {
    throw new SkiffError(
      "ERR_SKIFF_PATH_ESCAPE",
      `target ${target}: artifact ${path} is outside the checkout`,
      {
        hint: "artifact paths are relative to the repository root, e.g. _build/hello",
        data,
      },
    );
  }
  let real: string;
  try {
    real = await realpath(join(root, path));
  } catch {
    throw new SkiffError(
      "ERR_SKIFF_ARTIFACT_MISSING",
      `target ${target}: the build left no artifact at ${path}`,
      {
        hint: `make the build command of target ${target} write ${path}, or fix its artifact in skiff.yml`,
        data,
      },
    );
  }
  // A symlink may point anywhere: what it names must still be inside the checkout.
  if (escapes(real)) {
    throw new SkiffError(
      "ERR_SKIFF_PATH_ESCAPE",
      `target ${target}: artifact ${path} links outside the checkout`,
      {
        hint: "copy the file into the build folder instead of linking to it",
        data,
      },
    );
  }
  if (!(await stat(real)).isFile()) {
    throw new SkiffError(
      "ERR_SKIFF_ARTIFACT_MISSING",
      `target ${target}: artifact ${path} is not a regular file`,
      {
        hint: "list each artifact file in skiff.yml (a list is allowed), not a directory",
        data,
      },
    );
  }
  return real;
}

/** A hard link when the checkout is on the same file system (it is removed right after), else a copy. */
async function linkOrCopy(source: string, dest: string): Promise<void> {
  try {
    await link(source, dest);
  } catch {
    await copyFile(source, dest);
  }
}
