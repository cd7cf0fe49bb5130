export type QueueOutcome<T> = { ran: true; value: T } | { ran: false; reason: "replaced" | "aborted" };

interface Waiting {
  /** Runs the job; settles when it has finished, whatever its outcome. */
  start: () => Promise<void>;
  cancel: (reason: "replaced" | "aborted") => void;
}

interface AppSlot {
  running: boolean;
  waiting: Waiting | undefined;
}

/**
 * Runs push pipelines: one at a time per app, at most `limit` apps at once. A newer push of an
 * app replaces the one still waiting (the waiting one is told it was replaced).
 */
export class PushQueue {
  private readonly apps = new Map<string, AppSlot>();
  /** Apps with a waiting push, in the order they started waiting. */
  private readonly order: string[] = [];
  private active = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  enqueue<T>(app: string, job: () => Promise<T>, signal?: AbortSignal): Promise<QueueOutcome<T>> {
    const slot = this.slotOf(app);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => waiting.cancel("aborted");
      const waiting: Waiting = {
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          return job().then(
            (value) => resolve({ ran: true, value }),
            (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
          );
        },
        cancel: (reason) => {
          signal?.removeEventListener("abort", onAbort);
          if (slot.waiting !== waiting) return;
          slot.waiting = undefined;
          this.removeFromOrder(app);
          resolve({ ran: false, reason });
        },
      };
      slot.waiting?.cancel("replaced");
      slot.waiting = waiting;
      this.order.push(app);
      if (signal?.aborted) waiting.cancel("aborted");
      else signal?.addEventListener("abort", onAbort, { once: true });
      this.pump();
    });
  }

  /** Apps building now and apps with a push waiting, for the status API. */
  snapshot(): { building: string[]; waiting: string[] } {
    const building = [...this.apps].filter(([, slot]) => slot.running).map(([app]) => app);
    return { building, waiting: [...this.order] };
  }

  /** Resolves once no push runs and none waits (a server that stops lets running pushes land). */
  whenIdle(): Promise<void> {
    if (this.active === 0 && this.order.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.active < this.limit) {
      const index = this.order.findIndex((app) => !this.slotOf(app).running);
      if (index < 0) return;
      const app = this.order[index]!;
      this.order.splice(index, 1);
      const slot = this.slotOf(app);
      const waiting = slot.waiting;
      slot.waiting = undefined;
      if (!waiting) continue;
      slot.running = true;
      this.active++;
      void waiting.start().finally(() => {
        slot.running = false;
        this.active--;
        this.pump();
        if (this.active === 0 && this.order.length === 0)
          this.idleWaiters.splice(0).forEach((wake) => wake());
      });
    }
  }

  private slotOf(app: string): AppSlot {
    let slot = this.apps.get(app);
    if (!slot) {
      slot = { running: false, waiting: undefined };
      this.apps.set(app, slot);
    }
    return slot;
  }

  private removeFromOrder(app: string): void {
    const index = this.order.indexOf(app);
    if (index >= 0) this.order.splice(index, 1);
  }
}
