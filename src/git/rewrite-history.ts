import { pipeline } from "node:stream/promises";
import { SkiffError } from "../errors/index.js";
import { ExportFilter } from "./export-filter.js";
import { git, gitOutput } from "./run-git.js";
import { spawnGit } from "./spawn-git.js";

export interface RewriteHistoryOptions {
  /** A scratch bare repository that reads the history's objects (alternates) and gets the new ones. */
  repo: string;
  /** The commit whose history is rewritten. */
  tip: string;
  /** False for a file path that no rewritten commit holds. */
  keep: (path: string) => boolean;
  signal?: AbortSignal;
}

export interface RewriteHistoryResult {
  /** The rewrite of `tip` (`tip` itself when nothing was left out). */
  tip: string;
  /** The file paths left out, each once. */
  dropped: string[];
}

const SOURCE = "refs/skiff/source";
const TARGET = "refs/skiff/rewritten";

/**
 * Rewrites the history of `tip` without the files `keep` refuses, as git filter-repo does:
 * `fast-export --no-data` (blobs by id) piped through a filter into `fast-import`. Authors, dates
 * and messages stay; a commit that held none of those files keeps its id (and so do its parents).
 */
export async function rewriteHistory(options: RewriteHistoryOptions): Promise<RewriteHistoryResult> {
  const { repo, signal } = options;
  await git(["update-ref", SOURCE, options.tip], { cwd: repo });
  // --reencode=no: messages byte for byte; --refspec: the rewrite goes to a ref of its own.
  const exporter = spawnGit(
    [
      "fast-export",
      "--no-data",
      "--reencode=no",
      "--signed-tags=strip",
      "--refspec",
      `${SOURCE}:${TARGET}`,
      SOURCE,
    ],
    { cwd: repo, collectStdout: false, ...(signal ? { signal } : {}) },
  );
  exporter.child.stdin.end();
  const importer = spawnGit(["fast-import", "--quiet"], { cwd: repo, ...(signal ? { signal } : {}) });
  const filter = new ExportFilter(options.keep);
  const piped = pipeline(exporter.child.stdout, filter, importer.child.stdin).catch((error: Error) => error);
  const [failure, exported, imported] = await Promise.all([piped, exporter.done, importer.done]);
  for (const [name, run] of [
    ["fast-export", exported],
    ["fast-import", imported],
  ] as const) {
    if (run.exitCode !== 0) {
      throw new SkiffError(
        "ERR_SKIFF_GIT",
        `git ${name} failed: ${run.stderr.trim() || (run.signal ?? `exit ${run.exitCode}`)}`,
        {
          hint: "report this as a bug, with your git version",
        },
      );
    }
  }
  if (failure) throw failure;
  const tip = await gitOutput(["rev-parse", "--verify", `${TARGET}^{commit}`], { cwd: repo });
  return { tip, dropped: [...filter.dropped].sort() };
}
