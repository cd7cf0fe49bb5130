/** Wakes whoever sleeps until the pointer watch learns something (a tell, a completed fetch). */
export interface NewsWaiters {
  /** Resolves after `ms`, or as soon as news arrives. */
  wait(ms: number): Promise<void>;
  wake(): void;
}

export function createNewsWaiters(): NewsWaiters {
  const waiting = new Set<() => void>();
  return {
    wait: (ms) =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          waiting.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        waiting.add(done);
      }),
    wake: () => {
      for (const done of [...waiting]) done();
    },
  };
}
