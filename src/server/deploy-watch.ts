import type { SerializedError } from "../errors/index.js";
import type { EventSink, SkiffEvent } from "../events/index.js";

export type WatchedOutcome = { ok: true; event: SkiffEvent } | { ok: false; error: SerializedError };

interface Waiter {
  app: string;
  release: number;
  resolve: (outcome: WatchedOutcome) => void;
}

/** Event types that mean a release takes traffic (the switch comes before blue-green's confirmation window). */
const SERVING = new Set(["proxy.switched", "deploy.succeeded"]);
const FAILED = new Set(["deploy.failed", "release.refused"]);

/**
 * An event sink on the embedded agent that tells a push the moment its release serves or fails,
 * without waiting for the rest of the agent's pass.
 */
export class DeployWatch implements EventSink {
  private readonly waiters = new Set<Waiter>();

  emit(event: SkiffEvent): void {
    for (const waiter of this.waiters) {
      if (event.app !== waiter.app || event.release !== waiter.release) continue;
      if (SERVING.has(event.type)) this.settle(waiter, { ok: true, event });
      else if (FAILED.has(event.type)) {
        this.settle(waiter, {
          ok: false,
          error: event.error ?? { code: "ERR_SKIFF_DEPLOY_FAILED", message: event.message },
        });
      }
    }
  }

  /** Resolves when `release` of `app` serves or fails; the caller races it with the agent's pass. */
  waitFor(app: string, release: number): { outcome: Promise<WatchedOutcome>; cancel: () => void } {
    let waiter!: Waiter;
    const outcome = new Promise<WatchedOutcome>((resolve) => {
      waiter = { app, release, resolve };
      this.waiters.add(waiter);
    });
    return { outcome, cancel: () => this.waiters.delete(waiter) };
  }

  private settle(waiter: Waiter, outcome: WatchedOutcome): void {
    this.waiters.delete(waiter);
    waiter.resolve(outcome);
  }
}
