import type { BuildSource } from "./resolve-source.js";
import type { BuildStepName } from "./summary-schema.js";

/** One line of a step's output, as it arrives. */
export interface BuildOutput {
  target: string;
  step: BuildStepName;
  stream: "stdout" | "stderr";
  line: string;
}

/** A step starting or ending, for progress displays and build events. */
export interface BuildStepEvent {
  target: string;
  step: BuildStepName;
  phase: "start" | "end";
  command: string;
  ok?: boolean;
  durationMs?: number;
  exitCode?: number | null;
  /** The step's log file. */
  logPath?: string;
}

export interface RunBuildOptions {
  /** A work tree or a bare repository. */
  repo: string;
  /** Commit (or any revision) to build; defaults to HEAD (or main in a bare repository with no HEAD). */
  commit?: string;
  /** The branch the commit came from, when the caller knows it (a push); defaults to HEAD's branch. */
  branch?: string;
  /** The repository and commit already resolved by the caller (a push): no git calls to find them again. */
  source?: BuildSource;
  /** Where build folders go; defaults to <repo>/.skiff/builds for work trees. */
  outDir?: string;
  /** Build only this matrix entry. */
  target?: string;
  /** Where the checkouts go while the build runs (default the OS temp dir); a crashed build's are removed by the next. */
  tempDir?: string;
  /**
   * The folder builds keep between them (default <outDir>/cache): the commands find it in
   * SKIFF_CACHE_DIR and may write it, sandboxed too (a downloaded toolchain, a package cache).
   */
  cacheDir?: string;
  /** Folders the build and test commands must not see (skiff server's data dir, with its secrets). */
  hidden?: readonly string[];
  /** Keep only this many build folders in outDir (the newest, and the latest successful one). */
  keepBuilds?: number;
  /** Said once per build when its commands cannot run sandboxed (no usable bubblewrap). */
  onWarning?: (text: string) => void;
  signal?: AbortSignal;
  onOutput?: (line: BuildOutput) => void;
  onStep?: (event: BuildStepEvent) => void;
}
