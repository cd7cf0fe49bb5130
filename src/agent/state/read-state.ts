import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { SkiffError } from "../../errors/index.js";
import { migrateState } from "./migrate-state.js";
import { AgentStateSchema, emptyState, type AgentState } from "./state-schema.js";

export function statePath(data: string): string {
  return join(data, "state.json");
}

/** The state of a data dir; an empty state when none was written yet. */
export function readState(data: string): AgentState {
  return readStateFile(data) ?? emptyState();
}

/**
 * The state of a data dir, or undefined when it has no state.json: the file is opened once, so
 * a delete can never land between a check that it exists and the read (that read failed as
 * ERR_SKIFF_STATE_CORRUPT).
 */
export function readStateFile(data: string): AgentState | undefined {
  const path = statePath(data);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw corrupt(path, (error as Error).message);
  }
  // A state.json of an older agent is read as the current version (and written so at the next change).
  // jitless: zod's compiled fast path costs more to build (~10 ms) than it saves on one file read.
  const parsed = AgentStateSchema.safeParse(migrateState(raw), { jitless: true });
  if (!parsed.success)
    throw corrupt(path, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return parsed.data;
}

/**
 * readState for a caller that looks often (the instance watch, every 50 ms): the file is parsed
 * again only when it changed (its inode, size or modification time; every write replaces it).
 * What it returns is shared between calls: read it, never change it.
 */
export function createStateReader(data: string): () => Readonly<AgentState> {
  let seen: { key: string; state: AgentState } | undefined;
  return () => {
    const stat = statSync(statePath(data), { throwIfNoEntry: false, bigint: true });
    if (stat === undefined) return emptyState();
    const key = `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
    if (seen?.key !== key) seen = { key, state: readState(data) };
    return seen.state;
  };
}

function corrupt(path: string, reason: string): SkiffError {
  return new SkiffError("ERR_SKIFF_STATE_CORRUPT", `${path} cannot be read: ${reason}`, {
    hint: "start the agent again (skiff agent, or skiff agent --once): it moves the file aside and rebuilds it from the running instances, the front door and history.json (event state.rebuilt)",
    data: { path },
  });
}
