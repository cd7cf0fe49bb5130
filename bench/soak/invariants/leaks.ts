import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { listProcesses, type ProcessInfo } from "../proc-table.js";
import { RUN_MARK, type RunDir } from "../run-dir.js";
import type { InvariantResult } from "../types.js";

/** Processes of this run still alive: the run's mark in their environment, or its folder in their argv or cwd. */
export function findRunProcesses(dir: RunDir): ProcessInfo[] {
  return listProcesses(`${RUN_MARK}=${dir.root}`).filter(
    (p) => p.marked || p.command.includes(dir.root) || p.cwd.startsWith(dir.root),
  );
}

export function checkProcessLeaks(left: readonly ProcessInfo[]): InvariantResult {
  return {
    name: "no process of the run is left after everything was stopped",
    ok: left.length === 0,
    summary: `${left.length} left`,
    details: left.map((p) => `pid ${p.pid} (parent ${p.ppid}): ${p.command.slice(0, 200)}`),
  };
}

function list(dir: string, match: (name: string) => boolean = () => true): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter(match)
        .map((name) => join(dir, name))
    : [];
}

/**
 * Temporary files of the run left after a clean stop: anything in the TMPDIR every process got,
 * the server's per-push scratch (DATA/tmp), and quarantines (objects/tmp_objdir-*) in the
 * deployment repository and the app repositories.
 */
export function checkTempLeaks(dir: RunDir, apps: string[]): InvariantResult {
  const quarantine = (gitDir: string): string[] =>
    list(join(gitDir, "objects"), (n) => n.startsWith("tmp_objdir"));
  const left = [
    ...list(dir.tmp),
    ...list(join(dir.server, "tmp")),
    ...quarantine(join(dir.server, "deploy.git")),
    ...apps.flatMap((app) => quarantine(join(dir.server, "apps", `${app}.git`))),
  ];
  return {
    name: "no temp folder of the run is left (TMPDIR, the server's tmp, git quarantines)",
    ok: left.length === 0,
    summary: `${left.length} left`,
    details: left.map((path) => path.replace(`${dir.root}/`, "")),
  };
}
