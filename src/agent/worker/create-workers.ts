import type { TaskEnd } from "./task-end.js";

/** One piece of work for an app: `release` is the pointer value it acts on (undefined: a task by hand). */
export interface AppTask<T> {
  release?: number;
  /** What the task is, for status() (e.g. "reconcile", "stop"). */
  what: string;
  /**
   * Asked for by hand (skiff stop, a restart through the API): it runs, in its turn. A task asked
   * for later never replaces it (it waits after it), and it replaces no waiting task.
   */
  byHand?: boolean;
  run(signal: AbortSignal): Promise<T>;
}

/** What an app's worker does now, for status and the API. */
export interface WorkerState {
  app: string;
  running?: { what: string; release?: number; since: string };
  /** A task waits to run after the one in flight (the newest asked for replaced any older). */
  pending?: { what: string; release?: number };
}

/**
 * One worker per app (client-go workqueue semantics): an app's tasks never run two at once and
 * different apps never wait for each other. A task asked for while one runs waits and runs after
 * it; asked for again, the newest one replaces the waiting one (its callers get the newest's
 * result), unless either was asked for by hand: that one keeps its turn.
 */
export interface Workers<T> {
  /**
   * Runs `task` in the app's worker: now when idle, else after the task in flight. A task for
   * another release than the one in flight asks that one to end (TaskEnd superseded).
   */
  submit(app: string, task: AppTask<T>): Promise<T>;
  /** Asks the app's task in flight to end now: a newer release is current (true when it acted on another). */
  supersede(app: string, release: number): boolean;
  /** Asks the app's task in flight to end (skiff stop); what waits still runs after it. */
  end(app: string, reason: TaskEnd): void;
  /** The release the app's task in flight acts on, or undefined when the worker is idle. */
  busy(app: string): { release?: number } | undefined;
  /** Resolves once the app's worker has nothing in flight or waiting, with the last result of its tasks. */
  settled(app: string): Promise<T | undefined>;
  /** The last result of the app's tasks (a task that returned undefined leaves it as it was). */
  last(app: string): T | undefined;
  /** Resolves once every worker is idle (tasks asked for meanwhile included). */
  idle(): Promise<void>;
  states(): WorkerState[];
}

interface Waiting<T> {
  task: AppTask<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
  promise: Promise<T>;
}

interface Slot<T> {
  running?: { task: AppTask<T>; controller: AbortController; since: string };
  /** In order; only the last may be replaced, and only when neither it nor the newer task is by hand. */
  pending: Waiting<T>[];
  last?: T;
  settled: (() => void)[];
}

/** `onFailure`: a task threw (a bug: tasks report their own failures); its callers see the rejection too. */
export function createWorkers<T>(
  options: { onFailure?: (app: string, error: unknown) => void } = {},
): Workers<T> {
  const slots = new Map<string, Slot<T>>();
  const idleWaiters: (() => void)[] = [];
  const slotOf = (app: string): Slot<T> => {
    let slot = slots.get(app);
    if (slot === undefined) {
      slot = { settled: [], pending: [] };
      slots.set(app, slot);
    }
    return slot;
  };
  const allIdle = (): boolean => [...slots.values()].every((s) => s.running === undefined);
  const start = (app: string, slot: Slot<T>, task: AppTask<T>): Promise<T> => {
    const controller = new AbortController();
    slot.running = { task, controller, since: new Date().toISOString() };
    const run = Promise.resolve().then(() => task.run(controller.signal));
    void run.then(
      // A task that had nothing to do leaves the last result as it was.
      (value) => void (value === undefined ? undefined : (slot.last = value)),
      (error: unknown) => options.onFailure?.(app, error),
    );
    void run
      .catch(() => undefined)
      .then(() => {
        slot.running = undefined;
        const next = slot.pending.shift();
        if (next !== undefined) {
          start(app, slot, next.task).then(next.resolve, next.reject);
          return;
        }
        for (const done of slot.settled.splice(0)) done();
        if (allIdle()) for (const done of idleWaiters.splice(0)) done();
      });
    return run;
  };
  const askToEnd = (slot: Slot<T>, reason: TaskEnd): void => {
    const running = slot.running;
    if (running !== undefined && !running.controller.signal.aborted) running.controller.abort(reason);
  };
  const supersedes = (slot: Slot<T>, release: number | undefined): boolean => {
    const current = slot.running?.task.release;
    return release !== undefined && current !== undefined && current !== release;
  };
  return {
    submit(app, task) {
      const slot = slotOf(app);
      if (slot.running === undefined) return start(app, slot, task);
      if (task.release !== undefined && supersedes(slot, task.release))
        askToEnd(slot, { kind: "superseded", release: task.release });
      const last = slot.pending.at(-1);
      if (last !== undefined && last.task.byHand !== true && task.byHand !== true) {
        last.task = task;
        return last.promise;
      }
      let resolve!: (value: T) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
      // Rejections reach whoever awaits; an unawaited one must not crash the agent.
      promise.catch(() => undefined);
      slot.pending.push({ task, resolve, reject, promise });
      return promise;
    },
    supersede(app, release) {
      const slot = slots.get(app);
      if (slot === undefined || !supersedes(slot, release)) return false;
      askToEnd(slot, { kind: "superseded", release });
      return true;
    },
    end(app, reason) {
      const slot = slots.get(app);
      if (slot !== undefined) askToEnd(slot, reason);
    },
    busy(app) {
      const running = slots.get(app)?.running;
      if (running === undefined) return undefined;
      return running.task.release === undefined ? {} : { release: running.task.release };
    },
    settled(app) {
      const slot = slots.get(app);
      if (slot === undefined) return Promise.resolve(undefined);
      if (slot.running === undefined) return Promise.resolve(slot.last);
      return new Promise((resolve) => slot.settled.push(() => resolve(slot.last)));
    },
    last: (app) => slots.get(app)?.last,
    idle() {
      if (allIdle()) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    states() {
      return [...slots.entries()].map(([app, slot]) => ({
        app,
        ...(slot.running
          ? {
              running: {
                what: slot.running.task.what,
                since: slot.running.since,
                ...(slot.running.task.release === undefined ? {} : { release: slot.running.task.release }),
              },
            }
          : {}),
        ...(slot.pending[0]
          ? {
              pending: {
                what: slot.pending[0].task.what,
                ...(slot.pending[0].task.release === undefined
                  ? {}
                  : { release: slot.pending[0].task.release }),
              },
            }
          : {}),
      }));
    },
  };
}
