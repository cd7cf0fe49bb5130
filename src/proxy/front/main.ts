#!/usr/bin/env node
// The front door process: one per host data dir, started detached by ensureFrontDoor and adopted by the next caller.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { serializeError, SkiffError } from "../../errors/index.js";
import { createLogger } from "../../log/index.js";
import { isSameProcess, processStartTime } from "../../process/index.js";
import { parseAddress } from "../address.js";
import { tellStarter } from "../spawn-detached.js";
import { chooseEngine, type EngineName } from "./choose-engine.js";
import { startFrontControl } from "./control-server.js";
import { createFrontDoor, type FrontDoor, type FrontSettings } from "./front-door.js";
import { frontControlPath, readFrontRecord, removeFrontRecord, writeFrontRecord } from "./front-files.js";
import { openRestartJournal } from "./restart-journal.js";
import { readSavedState, writeSavedState } from "./saved-state.js";

const log = createLogger("front");
const USAGE =
  "usage: main.js --dir DIR [--engine auto|node|haproxy] [--front HOST:PORT|none] [--front-index on|off]";

function parseOptions(): { dir: string; engine: EngineName; settings: Partial<FrontSettings> } {
  const { values } = parseArgs({
    options: {
      dir: { type: "string" },
      engine: { type: "string", default: "auto" },
      front: { type: "string" },
      "front-index": { type: "string" },
    },
  });
  const engine = values.engine as EngineName;
  if (values.dir === undefined || !["auto", "node", "haproxy"].includes(engine))
    throw new SkiffError("ERR_SKIFF_USAGE", USAGE);
  const settings: Partial<FrontSettings> = {};
  if (values.front !== undefined)
    settings.front = values.front === "none" ? null : parseAddress(values.front);
  if (values["front-index"] !== undefined) settings.frontIndex = values["front-index"] === "on";
  return { dir: values.dir, engine, settings };
}

/** The change is in effect: a save that fails (a full disk) is logged and made again at the next change. */
function saveState(dir: string, door: FrontDoor): void {
  try {
    writeSavedState(dir, door.saved());
  } catch (error) {
    log.warn({ err: error }, "the front door's state could not be saved; the change is in effect");
  }
}

async function main(): Promise<void> {
  const { dir, engine: wanted, settings } = parseOptions();
  const { engine, fallback } = await chooseEngine({ dir, engine: wanted, log });
  const journal = openRestartJournal(dir);
  const door = createFrontDoor({ engine, fallback, journal, onChange: (d) => saveState(dir, d) });
  try {
    await door.restore(readSavedState(dir));
    if (Object.keys(settings).length > 0) await door.setSettings(settings);
  } catch (error) {
    // A door that cannot start must not leave HAProxy serving behind it.
    await door.close();
    throw error;
  }
  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, "front door stopping");
    removeFrontRecord(dir, process.pid);
    control.close();
    await door.close();
    process.exit(0);
  };
  const control = await startFrontControl({
    door,
    socketPath: frontControlPath(dir),
    onStop: () => void stop("DELETE /"),
    log: (what, data) => log.info(data, what),
  });
  // A record that names a dead door: it died (a stop removes its record), and this door takes its place.
  const before = readFrontRecord(dir);
  if (before !== undefined && before.pid !== process.pid && !isSameProcess(before.pid, before.startTime))
    journal.add({ what: "door", engine: engine.name, pid: process.pid, previous: before.pid });
  writeFrontRecord(dir, { pid: process.pid, startTime: processStartTime(process.pid), engine: engine.name });
  // Without its control socket no caller can adopt or stop the door: leave rather than hold the ports forever.
  setInterval(() => {
    if (!existsSync(frontControlPath(dir))) void stop("control socket removed");
  }, 2000).unref();
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  // Detached from any terminal: a hangup of the shell that started the agent must not close the public ports.
  process.on("SIGHUP", () => undefined);
  // One client or fault must not take every app's public address down: a bug is logged, the door stays.
  // Once per message every 10 s: on a full disk, logging the failed write of a log line fails again,
  // and an unbounded storm of these lines fills the disk as soon as space is back.
  const reported = new Map<string, number>();
  process.on("uncaughtException", (error) => {
    const now = Date.now();
    if (now - (reported.get(error.message) ?? 0) < 10_000) return;
    reported.set(error.message, now);
    log.error({ err: serializeError(error) }, "bug: uncaught exception in the front door");
  });
  const status = await door.status();
  log.info(
    {
      engine: engine.name,
      fallback: fallback ?? null,
      front: status.front,
      apps: Object.keys(status.apps).length,
    },
    "front door listening",
  );
  await tellStarter({ type: "ready", pid: process.pid, listen: status.front ?? "" });
}

main().catch(async (error: unknown) => {
  log.error({ err: serializeError(error) }, "front door failed to start");
  await tellStarter({ type: "error", error: serializeError(error) });
  process.exit(1);
});
