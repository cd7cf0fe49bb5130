import { printTable } from "./output.js";

/** What a release row shows (ReleaseInfo of the store, or the API's Release). */
export interface ReleaseRow {
  release: number;
  created?: string;
  commit?: string;
  target?: string;
  current: boolean;
  staging: boolean;
  error?: { code: string };
  stage?: { verdict: string; summary: string };
}

/** `skiff releases`: one row per release, current and staging marked, stage verdicts. */
export function printReleaseTable(releases: readonly ReleaseRow[]): void {
  printTable([
    ["RELEASE", "CREATED", "COMMIT", "TARGET", "STAGE", ""],
    ...releases.map((r) => [
      String(r.release),
      r.created ?? "-",
      r.commit?.slice(0, 7) ?? "-",
      r.target ?? (r.error ? `(${r.error.code})` : "-"),
      r.stage === undefined ? "-" : r.stage.verdict === "passed" ? "passed" : `failed: ${r.stage.summary}`,
      [r.current ? "current" : "", r.staging ? "staging" : ""].filter(Boolean).join(", "),
    ]),
  ]);
}
