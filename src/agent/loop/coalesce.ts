/**
 * Runs `task` at most once at a time, with at most one more run queued: any number of requests
 * made while a run is in flight share the one queued run (triggers coalesce).
 */
export function createCoalescer<T>(task: () => Promise<T>): { request(): Promise<T>; idle(): Promise<void> } {
  let running: Promise<T> | undefined;
  let queued: Promise<T> | undefined;

  const start = (): Promise<T> => {
    const run = task().finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  };

  return {
    request(): Promise<T> {
      // The queued run is shared until it has started, even in the gap after the running one ended.
      if (queued !== undefined) return queued;
      if (running === undefined) return start();
      const settled = running.then(
        () => undefined,
        () => undefined,
      );
      const next = settled.then(() => {
        queued = undefined;
        return start();
      });
      queued = next;
      return next;
    },
    async idle(): Promise<void> {
      while (running !== undefined || queued !== undefined) {
        await (queued ?? running)?.catch(() => undefined);
      }
    },
  };
}
