import { mkdirSync } from "node:fs";
import { SkiffError } from "../../errors/index.js";
import {
  isSameProcess,
  ownProgram,
  terminateGroup,
  waitForExit,
  SERVICE_NODE_FLAGS,
} from "../../process/index.js";
import { formatAddress, type Address } from "../address.js";
import { spawnDetached } from "../spawn-detached.js";
import type { EngineName } from "./choose-engine.js";
import { connectFrontDoor, type FrontDoorClient } from "./front-client.js";
import { frontControlPath, frontLogPath, readFrontRecord, removeFrontRecord } from "./front-files.js";

export interface EnsureFrontDoorOptions {
  /** The door's own directory, `<data>/front` (frontDoorDir): record, control.sock, front.log, state. */
  dir: string;
  /** The shared HTTP listener routed by Host (skiff agent --front); null closes it; undefined leaves it. */
  front?: string | Address | null;
  /** List the known hostnames on the 404 page of an unknown host (--front-index); undefined leaves it. */
  frontIndex?: boolean;
  /** auto (default): HAProxy for the steady path when installed, else the door's own. */
  engine?: EngineName;
  startTimeoutMs?: number;
}

const MAIN = ownProgram("proxy/front/main");

/** Adopts the host's running front door, or starts a detached one that outlives the caller. */
export async function ensureFrontDoor(options: EnsureFrontDoorOptions): Promise<FrontDoorClient> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  // sun_path holds 108 bytes; a longer path would fail later with an obscure error.
  if (Buffer.byteLength(frontControlPath(options.dir)) > 90) {
    throw new SkiffError(
      "ERR_SKIFF_PROXY",
      `the front door's directory path is too long for a unix socket: ${options.dir}`,
      {
        hint: "Use a shorter data directory (--data-dir), e.g. under /var/lib/skiff.",
      },
    );
  }
  const front =
    options.front === undefined || options.front === null || typeof options.front === "string"
      ? options.front
      : formatAddress(options.front);
  const adopted = await adoptFrontDoor(options);
  if (adopted !== undefined) {
    const settings = {
      ...(front === undefined ? {} : { front }),
      ...(options.frontIndex === undefined ? {} : { frontIndex: options.frontIndex }),
    };
    if (Object.keys(settings).length > 0) await adopted.setSettings(settings);
    return adopted;
  }
  const args = ["--dir", options.dir, "--engine", options.engine ?? "auto"];
  if (front !== undefined) args.push("--front", front ?? "none");
  if (options.frontIndex !== undefined) args.push("--front-index", options.frontIndex ? "on" : "off");
  const started = await spawnDetached({
    main: MAIN,
    // A small heap: the door allocates little per connection, and every app's host pays for its RSS.
    nodeArgs: [...SERVICE_NODE_FLAGS],
    args,
    cwd: options.dir,
    logPath: frontLogPath(options.dir),
    startTimeoutMs: options.startTimeoutMs ?? 15_000,
    what: "the front door",
    logName: "front.log",
  });
  return connectFrontDoor(options.dir, started.pid);
}

/** The running door when it is ours (same pid and start time), answers, and runs the engine asked for. */
async function adoptFrontDoor(options: EnsureFrontDoorOptions): Promise<FrontDoorClient | undefined> {
  const record = readFrontRecord(options.dir);
  if (record === undefined) return undefined;
  // A dead door's record stays: the door started next reads it and keeps its death for an agent to report.
  if (!isSameProcess(record.pid, record.startTime)) return undefined;
  const client = connectFrontDoor(options.dir, record.pid);
  const status = await client.status().catch(() => undefined);
  if (status === undefined) {
    // Ours but deaf: replace it rather than leave the public addresses half-served.
    await terminateGroup(record.pid, 2000);
    removeFrontRecord(options.dir, record.pid);
    return undefined;
  }
  const wanted = options.engine ?? "auto";
  if (wanted !== "auto" && status.engine.name !== wanted) {
    await stopFrontDoor(options.dir);
    return undefined;
  }
  return client;
}

/** Stops the front door recorded in `dir`, if it runs; true when one was stopped. */
export async function stopFrontDoor(dir: string, timeoutMs = 5000): Promise<boolean> {
  const record = readFrontRecord(dir);
  if (record === undefined) return false;
  if (!isSameProcess(record.pid, record.startTime)) {
    removeFrontRecord(dir, record.pid);
    return false;
  }
  await connectFrontDoor(dir, record.pid)
    .stop()
    .catch(() => undefined);
  if (!(await waitForExit(record.pid, timeoutMs))) await terminateGroup(record.pid, 2000);
  removeFrontRecord(dir, record.pid);
  return true;
}
