/** One timer per app for a retry that waits out its backoff; every one is cleared when `signal` aborts (the agent stops). */
export interface RetryTimers {
  /** Runs `run` at `at` (ms since the epoch), replacing the app's timer. */
  schedule(app: string, at: number, run: () => void): void;
  has(app: string): boolean;
  clear(app: string): void;
}

export function createRetryTimers(signal: AbortSignal): RetryTimers {
  const timers = new Map<string, NodeJS.Timeout>();
  const clear = (app: string): void => {
    clearTimeout(timers.get(app));
    timers.delete(app);
  };
  signal.addEventListener("abort", () => [...timers.keys()].forEach(clear), { once: true });
  return {
    schedule(app, at, run) {
      clear(app);
      if (signal.aborted) return;
      const timer = setTimeout(
        () => {
          timers.delete(app);
          if (!signal.aborted) run();
        },
        Math.max(0, at - Date.now()),
      );
      timers.set(app, timer);
    },
    has: (app) => timers.has(app),
    clear,
  };
}
