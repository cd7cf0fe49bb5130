import type { ReleaseInfo } from "../store/index.js";
import { printTable } from "./output.js";

/** A release as the store lists it, and as the API answers it (the same JSON). */
export type ReleaseRow = ReleaseInfo;

/** `skiff releases`: one row per release, its targets and format, current and staging marked, stage verdicts. */
export function printReleaseTable(releases: readonly ReleaseRow[]): void {
  printTable([
    ["RELEASE", "CREATED", "COMMIT", "TARGETS", "FORMAT", "STAGE", ""],
    ...releases.map((r) => [
      String(r.release),
      r.created ?? "-",
      r.commit?.slice(0, 7) ?? "-",
      r.targets?.map((t) => `${t.target} (${t.driver})`).join(", ") ?? (r.error ? `(${r.error.code})` : "-"),
      r.version ?? "-",
      r.stage === undefined ? "-" : r.stage.verdict === "passed" ? "passed" : `failed: ${r.stage.summary}`,
      [r.current ? "current" : "", r.staging ? "staging" : ""].filter(Boolean).join(", "),
    ]),
  ]);
}
