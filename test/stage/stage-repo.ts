import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gitSync } from "../support/app-repo.js";

/** A file of the deployment repository's main, or undefined when it has none. */
export function show(repo: string, path: string): string | undefined {
  try {
    return gitSync(repo, ["show", `main:${path}`]);
  } catch {
    return undefined;
  }
}

/** The types of the events a data dir recorded, in order. */
export function eventTypes(data: string): string[] {
  const file = join(data, "events.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { type: string }).type);
}
