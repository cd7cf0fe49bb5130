import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { SkiffError } from "../../errors/index.js";
import { redactForDataDir } from "../secrets/index.js";
import { writeHistory } from "./history-file.js";
import { writeInstanceRecords } from "./instance-files.js";
import { acquireLock } from "./lock.js";
import { readStateFile, rememberValidated, statePath } from "./read-state.js";
import {
  AgentStateSchema,
  emptyAppState,
  emptyState,
  type AgentState,
  type AppState,
} from "./state-schema.js";
import { writeFileDurably } from "./write-durably.js";

/**
 * Writes state.json atomically (temp file, fsync, rename: a crash leaves the old or the new file,
 * never half), after the records a lost state.json is rebuilt from: each instance's own record
 * and the history (failed releases, stops, trust). A full disk leaves the previous files as they
 * were, and is named (never an exit 70).
 */
export function writeState(data: string, state: AgentState): void {
  mkdirSync(data, { recursive: true });
  // Opened secrets never reach the disk, even inside an error message.
  const redacted = redactForDataDir(data, state);
  const text = JSON.stringify(redacted, null, 2) + "\n";
  // A state no agent could read back is never written: the change fails, the file stays as it was.
  // Checked as it will be read: the JSON (a key left undefined in memory is not written).
  const written: unknown = JSON.parse(text);
  const checked = AgentStateSchema.safeParse(written, { jitless: true });
  if (!checked.success) {
    const issues = checked.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`the agent's new state does not match its schema (${issues}): this is a bug`);
  }
  writeInstanceRecords(data, redacted);
  writeHistory(data, redacted);
  writeFileDurably(statePath(data), text, "writing the agent's state");
  if (isDeepStrictEqual(checked.data, written)) rememberValidated(statePath(data), text);
}

/** Per data dir, the updates of this process in order: the app workers' writes queue here, not on the lock's retry sleep. */
const queues = new Map<string, Promise<unknown>>();

/** Per data dir, what a running agent does when state.json is gone under it: rebuilds it (rebuild/). */
const lossHandlers = new Map<string, () => Promise<unknown>>();

/**
 * While an agent runs on `data`: an update that finds state.json gone (deleted under the agent)
 * first calls `rebuild`, which writes it again from what runs, so the change is not applied to an
 * empty state that would forget every other app. Returns the unregistration.
 */
export function onStateLost(data: string, rebuild: () => Promise<unknown>): () => void {
  const key = resolve(data);
  lossHandlers.set(key, rebuild);
  return () => {
    if (lossHandlers.get(key) === rebuild) lossHandlers.delete(key);
  };
}

/**
 * Read-modify-write of state.json under a short lock, so that `skiff stop` and a running agent
 * never overwrite each other's changes.
 */
export function updateState<T>(data: string, change: (state: AgentState) => T): Promise<T> {
  const key = resolve(data);
  const run = (queues.get(key) ?? Promise.resolve()).then(() => updateLocked(data, change));
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return run;
}

async function updateLocked<T>(data: string, change: (state: AgentState) => T): Promise<T> {
  mkdirSync(data, { recursive: true });
  const lock = await acquireLock(join(data, "state.lock"), {
    waitMs: 10_000,
    onHeld: (pid) =>
      new SkiffError("ERR_SKIFF_AGENT_LOCKED", `process ${pid} holds ${data}/state.lock`, {
        hint: "retry in a moment; if it persists, check that process",
      }),
  });
  try {
    const rebuild = lossHandlers.get(resolve(data));
    let state = readStateFile(data);
    if (state === undefined && rebuild !== undefined) {
      await rebuild();
      state = readStateFile(data);
    }
    state ??= emptyState();
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
