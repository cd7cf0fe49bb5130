import { setTimeout as sleep } from "node:timers/promises";
import type { AddressBook } from "./addresses.js";
import { getFresh } from "./net.js";
import type { RequestSample } from "./types.js";

/** Longer than the front door holds a connection while no backend answers (5 s). */
export const REQUEST_TIMEOUT_MS = 10_000;
/** In flight to one app on one host at most: a stuck address cannot pile up sockets. */
const MAX_IN_FLIGHT = 16;

/** Loads paused for a while ("APP@HOST"): a wake action lets the app go idle on that host. */
export type LoadPauses = Set<string>;

/** The version label a fixture's page names ("<p>version alpha-3</p>"). */
export function versionOf(body: string): string | undefined {
  return /version ([^<\s]+)</.exec(body)?.[1];
}

/** GET / on a fresh connection, `rate` times a second, to one app on one host, until the signal. */
export async function runLoad(options: {
  app: string;
  host: string;
  rate: number;
  book: AddressBook;
  samples: RequestSample[];
  pauses: LoadPauses;
  signal: AbortSignal;
}): Promise<void> {
  const { app, host, book } = options;
  const interval = 1000 / options.rate;
  const inFlight = new Set<Promise<void>>();
  let next = Date.now();
  while (!options.signal.aborted) {
    const url = book.url(host, app);
    const paused = options.pauses.has(`${app}@${host}`);
    if (url !== undefined && !paused && inFlight.size < MAX_IN_FLIGHT) {
      const request = send(url, app, host, options.samples, book).finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    next += interval;
    await sleep(Math.max(0, next - Date.now()), undefined, { signal: options.signal }).catch(() => undefined);
  }
  await Promise.all(inFlight);
}

async function send(
  url: string,
  app: string,
  host: string,
  samples: RequestSample[],
  book: AddressBook,
): Promise<void> {
  const start = Date.now();
  try {
    const { status, body } = await getFresh(`${url}/`, REQUEST_TIMEOUT_MS);
    const version = versionOf(body);
    samples.push({
      app,
      host,
      start,
      end: Date.now(),
      status,
      ...(version === undefined ? {} : { version }),
    });
  } catch (error) {
    samples.push({ app, host, start, end: Date.now(), error: (error as Error).message });
    book.refreshSoon(host);
  }
}
