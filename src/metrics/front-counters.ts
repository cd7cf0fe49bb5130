import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { connectProxy, parseAddress, readProxyRecord } from "../proxy/index.js";

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

/** A proxy that does not answer within this is left out of one scrape, never holds it up. */
const STATUS_TIMEOUT_MS = 1000;

/**
 * Reads each app's front proxy (`<data>/proxies/<app>/`, its /status) at scrape time. Today's
 * per-app proxies report open connections only; the shared front door (src/proxy, `<data>/front/`)
 * adds connections, requests, bytes and errors per app: read them here when it lands.
 */
export async function readFrontCounters(data: string): Promise<FrontCounters[]> {
  const root = join(data, "proxies");
  if (!existsSync(root)) return [];
  const apps = readdirSync(root);
  const read = await Promise.all(apps.map((app) => readProxy(join(root, app), app)));
  return read.filter((counters): counters is FrontCounters => counters !== undefined);
}

async function readProxy(dir: string, app: string): Promise<FrontCounters | undefined> {
  const record = readProxyRecord(dir);
  if (record === undefined) return undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const status = await Promise.race([
      connectProxy(dir, record.pid, parseAddress(record.listen)).status(),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), STATUS_TIMEOUT_MS))),
    ]);
    if (status === undefined) return undefined;
    const open = Object.values(status.connections).reduce((sum, n) => sum + n, 0);
    return { app, open };
  } catch {
    return undefined; // a proxy that is gone or restarting: no figures this scrape
  } finally {
    clearTimeout(timer);
  }
}
