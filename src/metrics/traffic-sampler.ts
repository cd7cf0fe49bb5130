import { createSeriesRing, type SeriesRing } from "./series-ring.js";
import { SERIES_KEYS, toTrafficPoint, type SeriesKey, type TrafficReading } from "./traffic-point.js";

export interface TrafficSamplerOptions {
  /** How often to sample (default 5 s). */
  intervalMs?: number;
  /** How far back the series reach (default 1 h): memory is apps × window / interval samples. */
  windowMs?: number;
  /** At most this many apps are kept; a new app beyond it is not sampled. */
  maxApps?: number;
  /** Every app's figures now; a failing read skips one sample. */
  read: () => Promise<TrafficReading[]>;
  onError?: (error: unknown) => void;
  /** The clock (epoch ms); tests give one that moves by the interval. */
  now?: () => number;
}

export type AppSeries = { time: number[] } & Record<SeriesKey, (number | null)[]>;

export interface TrafficSampler {
  readonly intervalMs: number;
  readonly windowMs: number;
  /** The app's samples of the last `windowMs` (at most the sampler's window), oldest first. */
  series(app: string, windowMs: number): AppSeries;
  /** Takes one sample now (the timer calls it; tests may too). */
  sample(): Promise<void>;
  stop(): void;
}

interface AppTrack {
  ring: SeriesRing<SeriesKey>;
  last: TrafficReading;
  lastAt: number;
}

/** Samples every app's traffic at a fixed interval into a ring per app: the dashboard's charts. */
export function startTrafficSampler(options: TrafficSamplerOptions): TrafficSampler {
  const intervalMs = options.intervalMs ?? 5000;
  const windowMs = options.windowMs ?? 3_600_000;
  const capacity = Math.ceil(windowMs / intervalMs) + 1;
  const maxApps = options.maxApps ?? 1000;
  const tracks = new Map<string, AppTrack>();
  const clock = options.now ?? Date.now;
  let running: Promise<void> | undefined;

  const take = async (): Promise<void> => {
    const readings = await options.read();
    const now = clock();
    for (const reading of readings) {
      let track = tracks.get(reading.app);
      if (track === undefined) {
        if (tracks.size >= maxApps) continue;
        track = { ring: createSeriesRing(SERIES_KEYS, capacity), last: reading, lastAt: now };
        tracks.set(reading.app, track);
        track.ring.push(toTrafficPoint(now, reading, undefined, 0));
        continue;
      }
      track.ring.push(toTrafficPoint(now, reading, track.last, now - track.lastAt));
      track.last = reading;
      track.lastAt = now;
    }
    // An app gone for a whole window has nothing left to show.
    for (const [app, track] of tracks) if (now - track.lastAt > windowMs) tracks.delete(app);
  };
  const sample = (): Promise<void> => {
    running ??= take()
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void sample(), intervalMs);
  timer.unref();
  void sample();
  return {
    intervalMs,
    windowMs,
    series: (app, window) => {
      const since = clock() - Math.min(window, windowMs);
      const track = tracks.get(app);
      if (track) return track.ring.read(since);
      return { time: [], ...Object.fromEntries(SERIES_KEYS.map((key) => [key, []])) } as unknown as AppSeries;
    },
    sample,
    stop: () => clearInterval(timer),
  };
}
