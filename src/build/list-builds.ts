import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { BUILD_ID, readBuild, SUMMARY_FILE } from "./build-folder.js";

/** One build folder as `skiff builds` shows it. */
export interface BuildListing {
  buildId: string;
  dir: string;
  /** succeeded, failed, or running (no build.json yet: running now, or cut short by a crash). */
  status: "succeeded" | "failed" | "running";
  app?: string;
  commit?: string;
  started?: string;
  durationMs?: number;
  /** The failure, when it failed. */
  error?: { code: string; message: string };
  /** Every step's log, in the order the steps ran. */
  logs: { target: string; step: string; path: string; outputBytes?: number }[];
}

/** The builds of one builds folder, newest first. */
export function listBuilds(outDir: string): BuildListing[] {
  if (!existsSync(outDir)) return [];
  return readdirSync(outDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && BUILD_ID.test(entry.name))
    .map((entry) => entry.name)
    .sort()
    .reverse()
    .map((buildId) => describeBuild(join(outDir, buildId), buildId));
}

function describeBuild(dir: string, buildId: string): BuildListing {
  if (!existsSync(join(dir, SUMMARY_FILE))) return { buildId, dir, status: "running", logs: [] };
  let summary;
  try {
    summary = readBuild(dir);
  } catch {
    return {
      buildId,
      dir,
      status: "failed",
      logs: [],
      error: { code: "ERR_SKIFF_NO_BUILD", message: "unreadable build.json" },
    };
  }
  return {
    buildId,
    dir,
    status: summary.status,
    app: summary.app,
    commit: summary.commit,
    started: summary.started,
    durationMs: summary.durationMs,
    ...(summary.error ? { error: { code: summary.error.code, message: summary.error.message } } : {}),
    logs: summary.targets.flatMap((target) =>
      target.steps.map((step) => ({
        target: target.target,
        step: step.step,
        path: step.logPath,
        ...(step.outputBytes === undefined ? {} : { outputBytes: step.outputBytes }),
      })),
    ),
  };
}
