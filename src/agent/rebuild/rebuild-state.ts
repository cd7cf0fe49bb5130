import { existsSync, renameSync } from "node:fs";
import type { EventBus } from "../../events/index.js";
import { isSkiffError } from "../../errors/index.js";
import { formatAddress, frontDoorDir, frontStatePath, readSavedState } from "../../proxy/index.js";
import { inspectInstance } from "../instance/index.js";
import { planStateRebuild, type DoorApp, type RebuiltApp } from "../plan/index.js";
import {
  historyPath,
  readHistory,
  readInstanceRecords,
  readState,
  statePath,
  writeState,
} from "../state/index.js";

export interface RebuildResult {
  reason: "corrupt" | "missing";
  /** Where the unreadable state.json was moved (kept for a post-mortem). */
  movedTo?: string;
  apps: Record<string, RebuiltApp>;
}

/**
 * At an agent's start, under its lock: a state.json that cannot be read is moved aside
 * (state.json.corrupt-<time>) and, like one that is missing from a data dir that ran instances,
 * rebuilt from the instances' own records (those that still run), the front door's saved state
 * (public addresses, which instances it routes to) and history.json; reported as state.rebuilt.
 * Undefined when state.json reads fine, or the data dir is new.
 */
export async function rebuildState(options: {
  data: string;
  events: EventBus;
  /** When: at the agent's start (default), or while it runs (state.json deleted under it). */
  during?: "start" | "run";
}): Promise<RebuildResult | undefined> {
  const { data, events } = options;
  const path = statePath(data);
  let movedTo: string | undefined;
  if (existsSync(path)) {
    try {
      readState(data);
      return undefined;
    } catch (error) {
      if (!isSkiffError(error) || error.code !== "ERR_SKIFF_STATE_CORRUPT") throw error;
      movedTo = `${path}.corrupt-${new Date().toISOString().replaceAll(":", "-")}`;
      renameSync(path, movedTo);
    }
  }
  const records = readInstanceRecords(data);
  const doorFile = frontStatePath(frontDoorDir(data));
  if (
    movedTo === undefined &&
    records.length === 0 &&
    !existsSync(doorFile) &&
    !existsSync(historyPath(data))
  )
    return undefined;
  const instances = await Promise.all(
    records.map(async (record) => ({ record, running: (await inspectInstance(record)) === "running" })),
  );
  const history = readHistory(data);
  const rebuilt = planStateRebuild({
    instances,
    door: doorApps(data),
    ...(history ? { history } : {}),
    at: new Date().toISOString(),
  });
  writeState(data, rebuilt.state);
  const result: RebuildResult = {
    reason: movedTo === undefined ? "missing" : "corrupt",
    ...(movedTo === undefined ? {} : { movedTo }),
    apps: rebuilt.apps,
  };
  events.emit({
    type: "state.rebuilt",
    message: describe(result),
    data: {
      ...result,
      during: options.during ?? "start",
      history: history !== undefined ? "read" : existsSync(historyPath(data)) ? "unreadable" : "none",
      instanceRecords: records.length,
    },
  });
  return result;
}

/** What the host's front door saved it serves, per app (its own file: the door need not run). */
function doorApps(data: string): Map<string, DoorApp> {
  const saved = readSavedState(frontDoorDir(data));
  return new Map(
    [...saved.apps].map(([app, spec]) => [
      app,
      {
        ...(spec.publish === null ? {} : { publish: formatAddress(spec.publish) }),
        ready: spec.backends.filter((b) => b.state === "ready").map((b) => b.id),
      },
    ]),
  );
}

function describe(result: RebuildResult): string {
  const what =
    result.movedTo === undefined
      ? "state.json was missing"
      : `state.json could not be read (moved to ${result.movedTo})`;
  const apps = Object.entries(result.apps).map(
    ([app, r]) =>
      `${app}: ${r.adopted.length} instance(s) adopted${r.publicAddress ? ` at ${r.publicAddress}` : ""}${r.stray.length > 0 ? `, ${r.stray.length} to stop` : ""}${r.failed.length > 0 ? `, failed release(s) ${r.failed.join(", ")} kept` : ""}`,
  );
  return `${what}; rebuilt from the running instances, the front door and history.json${apps.length > 0 ? `: ${apps.join("; ")}` : ""}`;
}
