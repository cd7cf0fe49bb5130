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
 * The last state.json text each data dir's reads validated, and what it parsed to. An agent reads
 * its state.json many times a pass (every app's worker, the door, the scaler) and mostly finds the
 * same bytes: those are not checked against the schema again (that cost ~0.3 ms of ~0.5 ms a read
 * for 20 apps). Keyed by content, not by mtime (coarse: two writes in one tick look the same).
 */
interface Validated {
  text: string;
  state: AgentState;
  /** The schema returned the file's JSON as it is (no defaults filled, nothing stripped). */
  asWritten: boolean;
}
const validated = new Map<string, Validated>();
/** Data dirs remembered (a test process opens many). */
const REMEMBERED = 8;

/**
 * The state of a data dir, or undefined when it has no state.json: the file is opened once, so
 * a delete can never land between a check that it exists and the read (that read failed as
 * ERR_SKIFF_STATE_CORRUPT). Each call returns its own object: the caller may change it.
 */
export function readStateFile(data: string): AgentState | undefined {
  const path = statePath(data);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw corrupt(path, (error as Error).message);
  }
  const known = validated.get(path);
  if (known?.text === text)
    return known.asWritten ? (JSON.parse(text) as AgentState) : structuredClone(known.state);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw corrupt(path, (error as Error).message);
  }
  // A state.json of an older agent is read as the current version (and written so at the next change).
  // jitless: zod's compiled fast path costs more to build (~10 ms) than it saves on one file read.
  const parsed = AgentStateSchema.safeParse(migrateState(raw), { jitless: true });
  if (!parsed.success)
    throw corrupt(path, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  validated.delete(path);
  if (validated.size >= REMEMBERED) validated.delete(validated.keys().next().value!);
  const state = parsed.data;
  validated.set(path, {
    text,
    state: structuredClone(state),
    asWritten: isDeepStrictEqual(state, JSON.parse(text)),
  });
  return state;
}

/**
 * readState for a caller that looks often (the instance watch, every 50 ms): the file is parsed
 * again only when its bytes changed. (Its inode, size and modification time are not enough: a
 * rename may reuse a freed inode, and mtime ticks coarsely, so two writes in one tick could look
 * unchanged and a new instance go unwatched.) What it returns is shared between calls: read it,
 * never change it.
 */
export function createStateReader(data: string): () => Readonly<AgentState> {
  let seen: { text: string; state: AgentState } | undefined;
  return () => {
    let text: string;
    try {
      text = readFileSync(statePath(data), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyState();
      throw corrupt(statePath(data), (error as Error).message);
    }
    // A write between these two reads: the next call sees other bytes and reads again.
    if (seen?.text !== text) seen = { text, state: readState(data) };
    return seen.state;
  };
}

function corrupt(path: string, reason: string): SkiffError {
  return new SkiffError("ERR_SKIFF_STATE_CORRUPT", `${path} cannot be read: ${reason}`, {
    hint: "start the agent again (skiff agent, or skiff agent --once): it moves the file aside and rebuilds it from the running instances, the front door and history.json (event state.rebuilt)",
    data: { path },
  });
}
