import { isSameProcess } from "../../process/index.js";
import {
  connectFrontDoor,
  ensureFrontDoor,
  frontDoorDir,
  readFrontRecord,
  type FrontDoorClient,
} from "../../proxy/index.js";

/** The host's shared front door settings an agent was started with (--front, --front-index). */
export interface FrontSettings {
  /** The shared HTTP listener routed by Host header, "host:port"; undefined leaves the door's as it is. */
  front?: string;
  frontIndex?: boolean;
}

interface DoorEntry {
  settings: FrontSettings;
  client?: FrontDoorClient;
  /** The door's shared listener as it reported it when adopted or started. */
  listen?: string | null;
  ensuring?: Promise<FrontDoorClient>;
}

/** One entry per data dir: an agent and the CLI commands in its process share the door's client. */
const doors = new Map<string, DoorEntry>();

function entryOf(data: string): DoorEntry {
  let entry = doors.get(data);
  if (entry === undefined) {
    entry = { settings: {} };
    doors.set(data, entry);
  }
  return entry;
}

/** Sets the settings the door of `data` is adopted or started with from now on (the agent's flags). */
export function configureFrontDoor(data: string, settings: FrontSettings): void {
  const entry = entryOf(data);
  entry.settings = settings;
  delete entry.client;
}

/** The running door of the data dir when its record names a live process (never starts one). */
export function runningFrontDoor(data: string): FrontDoorClient | undefined {
  const dir = frontDoorDir(data);
  const record = readFrontRecord(dir);
  if (record === undefined || !isSameProcess(record.pid, record.startTime)) return undefined;
  const cached = doors.get(data)?.client;
  return cached?.pid === record.pid ? cached : connectFrontDoor(dir, record.pid);
}

/**
 * The host's front door for `data`: the one this process adopted while it still runs, else the
 * running one adopted, else a new one started detached (it outlives the agent). Calls at once share one start.
 */
export async function frontDoorOf(data: string): Promise<FrontDoorClient> {
  const entry = entryOf(data);
  const record = readFrontRecord(frontDoorDir(data));
  const cached = entry.client;
  if (cached !== undefined && record?.pid === cached.pid && isSameProcess(record.pid, record.startTime))
    return cached;
  entry.ensuring ??= (async () => {
    try {
      const client = await ensureFrontDoor({
        dir: frontDoorDir(data),
        ...(entry.settings.front === undefined ? {} : { front: entry.settings.front }),
        ...(entry.settings.frontIndex === undefined ? {} : { frontIndex: entry.settings.frontIndex }),
      });
      entry.listen = (await client.status()).front;
      entry.client = client;
      return client;
    } finally {
      delete entry.ensuring;
    }
  })();
  return entry.ensuring;
}

/** The shared listener of the door this process uses for `data` ("host:port"), when it has one. */
export function frontListenOf(data: string): string | undefined {
  return doors.get(data)?.listen ?? undefined;
}
