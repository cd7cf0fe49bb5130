import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { SkiffError, classifyHostFault } from "../errors/index.js";
import { acquireLock } from "./lock.js";
import { redactForDataDir } from "./secrets.js";
import {
  AgentStateSchema,
  emptyAppState,
  emptyState,
  type AgentState,
  type AppState,
} from "./state-schema.js";

export function statePath(data: string): string {
  return join(data, "state.json");
}

/** The state of a data dir; an empty state when none was written yet. */
export function readState(data: string): AgentState {
  const path = statePath(data);
  if (!existsSync(path)) return emptyState();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw corrupt(path, (error as Error).message);
  }
  const parsed = AgentStateSchema.safeParse(raw);
  if (!parsed.success)
    throw corrupt(path, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return parsed.data;
}

function corrupt(path: string, reason: string): SkiffError {
  return new SkiffError("ERR_SKIFF_STATE_CORRUPT", `${path} cannot be read: ${reason}`, {
    hint: `stop the instances with skiff status/stop, then move ${path} aside; the next agent pass redeploys what current names`,
  });
}

/** Writes state.json atomically: temp file, fsync, rename. A crash leaves the old or the new file, never half. */
export function writeState(data: string, state: AgentState): void {
  mkdirSync(data, { recursive: true });
  const path = statePath(data);
  const temp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, "w");
    try {
      // Opened secrets never reach the disk, even inside an error message.
      writeSync(fd, JSON.stringify(redactForDataDir(data, state), null, 2) + "\n");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    // A full disk leaves the previous state.json as it was, and is named (never an exit 70).
    rmSync(temp, { force: true });
    throw classifyHostFault(error, { path, action: "writing the agent's state" }) ?? error;
  }
}

/**
 * Read-modify-write of state.json under a short lock, so that `skiff stop` and a running agent
 * never overwrite each other's changes.
 */
export async function updateState<T>(data: string, change: (state: AgentState) => T): Promise<T> {
  mkdirSync(data, { recursive: true });
  const lock = await acquireLock(join(data, "state.lock"), {
    waitMs: 10_000,
    onHeld: (pid) =>
      new SkiffError("ERR_SKIFF_AGENT_LOCKED", `process ${pid} holds ${data}/state.lock`, {
        hint: "retry in a moment; if it persists, check that process",
      }),
  });
  try {
    const state = readState(data);
    const result = change(state);
    writeState(data, state);
    return result;
  } finally {
    lock.release();
  }
}

/** Changes one app's entry, creating it when missing. */
export function updateAppState<T>(data: string, app: string, change: (appState: AppState) => T): Promise<T> {
  return updateState(data, (state) => {
    const appState = state.apps[app] ?? emptyAppState();
    state.apps[app] = appState;
    return change(appState);
  });
}
