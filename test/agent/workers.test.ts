import assert from "node:assert/strict";
import { test } from "node:test";
import { createWorkers, taskEndOf, type TaskEnd } from "../../src/agent/index.js";

/** Lets the workers start what they were given (a task starts on the next turn). */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A task that records when it runs and waits until released (or until its signal ends it). */
function gatedTask(log: string[], name: string, release?: number) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let ended: TaskEnd | undefined;
  return {
    open,
    ended: () => ended,
    task: {
      what: name,
      ...(release === undefined ? {} : { release }),
      run: async (signal: AbortSignal) => {
        log.push(`start ${name}`);
        await Promise.race([
          opened,
          new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })),
        ]);
        ended = taskEndOf(signal);
        log.push(`end ${name}`);
        return name;
      },
    },
  };
}

test("an app's tasks never run two at once; one asked for meanwhile runs after, the newest replacing an older waiting one", async () => {
  const workers = createWorkers<string>();
  const log: string[] = [];
  const first = gatedTask(log, "first", 1);
  const second = gatedTask(log, "second", 1);
  const third = gatedTask(log, "third", 1);
  const running = workers.submit("hello", first.task);
  const waiting = workers.submit("hello", second.task);
  const newest = workers.submit("hello", third.task);
  await tick();
  assert.deepEqual(log, ["start first"]);
  assert.deepEqual(workers.states(), [
    {
      app: "hello",
      running: { what: "first", release: 1, since: workers.states()[0]!.running!.since },
      pending: { what: "third", release: 1 },
    },
  ]);
  first.open();
  assert.equal(await running, "first");
  third.open();
  // The one replaced gets the result of the one that replaced it.
  assert.deepEqual(await Promise.all([waiting, newest]), ["third", "third"]);
  assert.deepEqual(log, ["start first", "end first", "start third", "end third"]);
  assert.equal(first.ended(), undefined, "the same release does not end the task in flight");
  assert.equal(await workers.settled("hello"), "third");
});

test("a task asked for by hand (skiff stop) keeps its turn: a newer task waits after it instead of replacing it", async () => {
  const workers = createWorkers<string>();
  const log: string[] = [];
  const swap = gatedTask(log, "swap", 2);
  const stop = gatedTask(log, "stop");
  const pass = gatedTask(log, "reconcile", 2);
  const later = gatedTask(log, "reconcile again", 2);
  const running = workers.submit("hello", swap.task);
  const stopped = workers.submit("hello", { ...stop.task, byHand: true });
  const reconciled = workers.submit("hello", pass.task);
  const newest = workers.submit("hello", later.task);
  await tick();
  assert.equal(workers.states()[0]!.pending?.what, "stop", "the stop runs next");
  swap.open();
  stop.open();
  later.open();
  assert.deepEqual(await Promise.all([running, stopped, reconciled, newest]), [
    "swap",
    "stop",
    "reconcile again",
    "reconcile again",
  ]);
  // The pass's two tasks still coalesce behind it.
  assert.deepEqual(log, [
    "start swap",
    "end swap",
    "start stop",
    "end stop",
    "start reconcile again",
    "end reconcile again",
  ]);
});

test("different apps run at once; a task for another release ends the app's task in flight as superseded", async () => {
  const workers = createWorkers<string>();
  const log: string[] = [];
  const slow = gatedTask(log, "slow window", 2);
  const other = gatedTask(log, "other app", 5);
  const newer = gatedTask(log, "release 3", 3);
  const inWindow = workers.submit("slow", slow.task);
  const otherDone = workers.submit("other", other.task);
  await tick();
  assert.deepEqual(log, ["start slow window", "start other app"], "the other app did not wait");
  other.open();
  assert.equal(await otherDone, "other app");
  assert.deepEqual(workers.busy("slow"), { release: 2 });
  const next = workers.submit("slow", newer.task);
  assert.equal(await inWindow, "slow window");
  assert.deepEqual(slow.ended(), { kind: "superseded", release: 3 });
  newer.open();
  assert.equal(await next, "release 3");
  await workers.idle();
  assert.equal(workers.busy("slow"), undefined);
});

test("supersede and end ask the task in flight to end; a told release equal to its own changes nothing", async () => {
  const workers = createWorkers<string>();
  const log: string[] = [];
  const same = gatedTask(log, "release 4", 4);
  const running = workers.submit("hello", same.task);
  await tick();
  assert.equal(workers.supersede("hello", 4), false);
  assert.equal(workers.supersede("hello", 5), true);
  await running;
  assert.deepEqual(same.ended(), { kind: "superseded", release: 5 });
  const byHand = gatedTask(log, "window", 6);
  const stopped = workers.submit("hello", byHand.task);
  await tick();
  workers.end("hello", { kind: "stopped" });
  await stopped;
  assert.deepEqual(byHand.ended(), { kind: "stopped" });
});
