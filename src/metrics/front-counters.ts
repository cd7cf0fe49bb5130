import { isSameProcess } from "../process/index.js";
import { connectFrontDoor, frontDoorDir, readFrontRecord } from "../proxy/index.js";

/** One app's traffic through the front door: open connections now, and totals when the door counts them. */
export interface FrontCounters {
  app: string;
  open: number;
  connections?: number;
  requests?: number;
  bytesIn?: number;
  bytesOut?: number;
  errors?: Record<string, number>;
}

/** A door that does not answer within this is left out of one scrape, never holds it up. */
const STATUS_TIMEOUT_MS = 1000;

/** Reads the host's front door (`<data>/front/`, its /status) at scrape time: every app's counters. */
export async function readFrontCounters(data: string): Promise<FrontCounters[]> {
  const dir = frontDoorDir(data);
  const record = readFrontRecord(dir);
  if (record === undefined || !isSameProcess(record.pid, record.startTime)) return [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const status = await Promise.race([
      connectFrontDoor(dir, record.pid).status(),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), STATUS_TIMEOUT_MS))),
    ]);
    if (status === undefined) return [];
    return Object.values(status.apps).map((app) => ({
      app: app.app,
      open: app.open,
      connections: app.counters.connections,
      requests: app.counters.requests,
      bytesIn: app.counters.bytesIn,
      bytesOut: app.counters.bytesOut,
      errors: {
        connect: app.counters.errors.connect,
        status5xx: app.counters.errors.status5xx,
        unavailable: app.counters.errors.unavailable,
        resets: app.counters.errors.resets,
      },
    }));
  } catch {
    return []; // a door that is gone or restarting: no figures this scrape
  } finally {
    clearTimeout(timer);
  }
}
