import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
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
 * The last state.json text of each data dir that the schema returned unchanged (no default
 * filled, nothing dropped: every file the agent wrote). An agent reads its state.json many times a
 * pass (every app's worker, the door, the scaler) and mostly finds the same bytes: those are only
 * parsed, not checked against the schema again (that cost ~0.3 ms of ~0.5 ms a read for 20 apps).
 * Keyed by content, not by mtime (coarse: two writes in one tick look the same).
 */
const validated = new Map<string, string>();
/** Data dirs remembered (a test process opens many). */
const REMEMBERED = 8;

/** `text` is what writeState just wrote for `path`, checked against the schema: its reads skip the check. */
export function rememberValidated(path: string, text: string): void {
  validated.delete(path);
  if (validated.size >= REMEMBERED) validated.delete(validated.keys().next().value!);
  validated.set(path, text);
}

/** state.json's text; undefined when there is none. */
function readStateText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw corrupt(path, (error as Error).message);
  }
}

/** The state that text of `path` holds; a new object on every call (the caller may change it). */
function parseState(path: string, text: string): AgentState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw corrupt(path, (error as Error).message);
  }
  if (validated.get(path) === text) return raw as AgentState;
  // A state.json of an older agent is read as the current version (and written so at the next change).
  // jitless: zod's compiled fast path costs more to build (~10 ms) than it saves on one file read.
  const parsed = AgentStateSchema.safeParse(migrateState(raw), { jitless: true });
  if (!parsed.success)
    throw corrupt(path, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  validated.delete(path);
  // The schema's output is new objects; `raw` is the file as written (migrateState copies to change it).
  if (isDeepStrictEqual(parsed.data, raw)) rememberValidated(path, text);
  return parsed.data;
}

/**
 * The state of a data dir, or undefined when it has no state.json: the file is opened once, so
 * a delete can never land between a check that it exists and the read (that read failed as
 * ERR_SKIFF_STATE_CORRUPT). Each call returns its own object: the caller may change it.
 */
export function readStateFile(data: string): AgentState | undefined {
  const path = statePath(data);
  const text = readStateText(path);
  return text === undefined ? undefined : parseState(path, text);
}

/**
 * readState for a caller that looks often (the instance watch, every 50 ms): the file is parsed
 * again only when its bytes changed. (Its inode, size and modification time are not enough: a
 * rename may reuse a freed inode, and mtime ticks coarsely, so two writes in one tick could look
 * unchanged and a new instance go unwatched.) What it returns is shared between calls: read it,
 * never change it.
 */
export function createStateReader(data: string): () => Readonly<AgentState> {
  const path = statePath(data);
  let seen: { text: string; state: AgentState } | undefined;
  return () => {
    const text = readStateText(path);
    if (text === undefined) return emptyState();
    if (seen?.text !== text) seen = { text, state: parseState(path, text) };
    return seen.state;
  };
}

function corrupt(path: string, reason: string): SkiffError {
  return new SkiffError("ERR_SKIFF_STATE_CORRUPT", `${path} cannot be read: ${reason}`, {
    hint: "start the agent again (skiff agent, or skiff agent --once): it moves the file aside and rebuilds it from the running instances, the front door and history.json (event state.rebuilt)",
    data: { path },
  });
}
