/** Wakes everyone waiting for "something changed". Waits resolve (never reject), also on abort. */
export class Wake {
  private waiters = new Set<() => void>();

  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        this.waiters.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  notify(): void {
    for (const done of [...this.waiters]) done();
  }
}

/**
 * Waits until the first of `triggers` fires (each gets a signal that is aborted once one has), then
 * throws signal.reason if the caller's signal was aborted meanwhile.
 */
export async function waitForFirst(
  signal: AbortSignal,
  triggers: readonly ((signal: AbortSignal) => Promise<unknown>)[],
): Promise<void> {
  signal.throwIfAborted();
  const step = new AbortController();
  const forward = (): void => step.abort(signal.reason);
  signal.addEventListener("abort", forward, { once: true });
  try {
    await Promise.race(triggers.map(async (trigger) => trigger(step.signal).catch(() => undefined)));
  } finally {
    step.abort();
    signal.removeEventListener("abort", forward);
  }
  signal.throwIfAborted();
}
