import { existsSync, readFileSync } from "node:fs";

/** The command lines of the git processes a SKIFF_TRACE_PROCESSES file recorded, in order. */
export function tracedGitProcesses(trace: string): string[] {
  if (!existsSync(trace)) return [];
  return readFileSync(trace, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { what: string }).what)
    .filter((what) => what.startsWith("git "));
}
