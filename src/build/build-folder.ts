import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { SkiffError } from "../errors/index.js";
import { BuildSummarySchema, type BuildSummary } from "./summary-schema.js";

export const SUMMARY_FILE = "build.json";
export const LATEST_FILE = "latest";
/** A build id: 20261125T021500Z-1a2b3c4-9f0e (sortable by start time). */
export const BUILD_ID = /^\d{8}T\d{6}Z-[0-9a-f]{7}-[0-9a-f]{4}$/;
/** The folder of a builds folder that builds keep between them (SKIFF_CACHE_DIR), beside the build folders. */
export const CACHE_FOLDER = "cache";

/** Sortable by start time, unique by the random tail: 20261125T021500Z-1a2b3c4-9f0e. */
export function createBuildId(commit: string, started: Date): string {
  const stamp = started
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${commit.slice(0, 7)}-${randomBytes(2).toString("hex")}`;
}

/** Creates <outDir>/<buildId>; a new id is drawn if another build took the same one. */
export async function createBuildFolder(
  outDir: string,
  commit: string,
  started: Date,
): Promise<{ buildId: string; dir: string }> {
  await mkdir(outDir, { recursive: true });
  for (let attempt = 0; attempt < 20; attempt++) {
    const buildId = createBuildId(commit, started);
    const dir = join(outDir, buildId);
    try {
      await mkdir(dir);
      return { buildId, dir };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  throw new SkiffError("ERR_SKIFF_INTERNAL", `could not create a unique build folder in ${outDir}`);
}

/** Writes build.json atomically, with paths relative to the build folder. */
export async function writeSummary(summary: BuildSummary): Promise<void> {
  const rel = (p: string): string => relative(summary.dir, p);
  const stored = {
    ...summary,
    dir: ".",
    targets: summary.targets.map((t) => ({
      ...t,
      steps: t.steps.map((s) => ({ ...s, logPath: rel(s.logPath) })),
      artifacts: t.artifacts.map((a) => ({ ...a, path: rel(a.path) })),
    })),
  };
  await writeAtomic(join(summary.dir, SUMMARY_FILE), JSON.stringify(stored, null, 2) + "\n");
}

/** Points <outDir>/latest at a build (only ever a successful one). */
export async function markLatest(outDir: string, buildId: string): Promise<void> {
  await writeAtomic(join(outDir, LATEST_FILE), `${buildId}\n`);
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temp, text, { mode: 0o644 });
  await rename(temp, path);
}

/** Reads <buildDir>/build.json; paths in the result are absolute. */
export function readBuild(buildDir: string): BuildSummary {
  const dir = resolve(buildDir);
  const path = join(dir, SUMMARY_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new SkiffError("ERR_SKIFF_NO_BUILD", missing ? `no build at ${dir}` : `${path} is not valid JSON`, {
      hint: "run skiff build first",
      data: { dir },
    });
  }
  const parsed = BuildSummarySchema.safeParse(raw);
  if (!parsed.success) {
    throw new SkiffError("ERR_SKIFF_NO_BUILD", `${path} is not a build summary skiff understands`, {
      hint: "run skiff build again",
      data: { dir, issue: parsed.error.issues[0]?.message },
    });
  }
  const abs = (p: string): string => (isAbsolute(p) ? p : join(dir, p));
  const summary = parsed.data;
  return {
    ...summary,
    dir,
    targets: summary.targets.map((t) => ({
      ...t,
      steps: t.steps.map((s) => ({ ...s, logPath: abs(s.logPath) })),
      artifacts: t.artifacts.map((a) => ({ ...a, path: abs(a.path) })),
    })),
  };
}

/** Where builds of the repository at `repo` go by default. */
export function defaultBuildsDir(repo: string): string {
  return join(repo, ".skiff", "builds");
}

/** The latest successful build of the repository at `dir` (its work tree root or the folder itself). */
export function readLatestBuild(dir: string): BuildSummary {
  const outDir = findBuildsDir(resolve(dir));
  const latest = outDir === undefined ? undefined : readLatestId(outDir);
  if (outDir === undefined || latest === undefined) {
    throw new SkiffError("ERR_SKIFF_NO_BUILD", `no successful build of ${resolve(dir)} yet`, {
      hint: "run skiff build first",
      data: { dir: resolve(dir) },
    });
  }
  return readBuild(join(outDir, latest));
}

/** The nearest <d>/.skiff/builds with a latest file, walking up from `dir` (skiff may run in a subfolder). */
function findBuildsDir(dir: string): string | undefined {
  for (let current = dir; ; current = resolve(current, "..")) {
    const candidate = defaultBuildsDir(current);
    if (existsSync(join(candidate, LATEST_FILE))) return candidate;
    if (existsSync(join(current, ".git")) || current === resolve(current, "..")) return undefined;
  }
}

function readLatestId(outDir: string): string | undefined {
  try {
    const id = readFileSync(join(outDir, LATEST_FILE), "utf8").trim();
    // The id names a folder inside outDir: never a path.
    return /^[A-Za-z0-9_.-]+$/.test(id) && id !== "." && id !== ".." ? id : undefined;
  } catch {
    return undefined;
  }
}
