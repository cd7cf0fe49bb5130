/** What `xl list <name>` says of a domain: running (or blocked, paused), or stopped (crashed, shut down, dying). */
export type DomainState = "running" | "stopped";

// The State column: six flags r b p s c d, "-" when unset (e.g. "-b----", "----c-" for a crashed, preserved domain).
const STATE_COLUMN = /^[r-][b-][p-][s-][c-][d-]$/;

/** Reads the State column of the domain's row; a row without one still counts as running. */
export function parseDomainState(listOutput: string, name: string): DomainState {
  const row = listOutput
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[0] === name);
  const state = row?.find((field) => STATE_COLUMN.test(field));
  if (state === undefined) return "running";
  return state[3] === "s" || state[4] === "c" || state[5] === "d" ? "stopped" : "running";
}
