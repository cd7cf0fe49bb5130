import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file runs from dist/bench/soak/). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const SKIFF_BIN = join(REPO_ROOT, "bin", "skiff.js");

/** Every process the run starts carries this variable (unless skiff gives it a fresh environment). */
export const RUN_MARK = "SKIFF_SOAK_RUN";

/** One soak run's folder: the server's and the follower's data dirs, the app repos, logs, a TMPDIR. */
export interface RunDir {
  root: string;
  server: string;
  follower: string;
  apps: string;
  logs: string;
  /** TMPDIR of every process the run starts: what is left in it at the end leaked. */
  tmp: string;
  /** The shared secret of the server's signed trigger to the follower. */
  secretFile: string;
  /** The environment of every process the run starts. */
  env: NodeJS.ProcessEnv;
}

export function makeRunDir(): RunDir {
  const root = mkdtempSync(join(tmpdir(), "skiff-soak-"));
  const dir = (name: string): string => {
    const path = join(root, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const tmp = dir("tmp");
  return {
    root,
    server: join(root, "server"),
    follower: dir("follower"),
    apps: dir("apps"),
    logs: dir("logs"),
    tmp,
    secretFile: join(root, "webhook-secret"),
    env: {
      ...process.env,
      TMPDIR: tmp,
      [RUN_MARK]: root,
      // The JSON logs carry every event too: the fault rules read them when a full disk lost events.jsonl.
      SKIFF_LOG_LEVEL: "info",
      GIT_TERMINAL_PROMPT: "0",
    },
  };
}
