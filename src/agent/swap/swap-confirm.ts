import { setTimeout as sleep } from "node:timers/promises";
import { parseDuration, type HealthConfig } from "../../config/index.js";
import type { Instance, InstanceStatus } from "../../drivers/index.js";
import { SkiffError } from "../../errors/index.js";
import { probeOnce, type ProbeResult } from "../instance/index.js";
import { taskEndOf } from "../worker/index.js";

/** Failed probes in a row that count as "fails its health check" inside the window (one can be a blip). */
const FAILURES_TO_ROLL_BACK = 2;
/** How often the window inspects the instances between probes: a crash is switched back within this. */
const EXIT_CHECK_MS = 50;

export interface ConfirmOptions {
  /** The new set: every instance is watched, one that fails rolls the whole set back. */
  instances: readonly Instance[];
  health: HealthConfig;
  windowMs: number;
  inspect: (instance: Instance) => Promise<InstanceStatus>;
  onProbe?: (instance: Instance, probe: ProbeResult & { attempt: number }) => void;
  /**
   * The app task's signal. Ended because a newer release is current: the window ends as soon as
   * the last probes passed, and confirms (the newer release replaces this one next). Ended by a
   * stop: the window ends with ERR_SKIFF_APP_STOPPED.
   */
  signal?: AbortSignal;
  /** True once `skiff stop` was run for the app (in any process): the window ends with ERR_SKIFF_APP_STOPPED. */
  isStopped: () => boolean;
  stoppedError: () => SkiffError;
}

export type ConfirmOutcome =
  | { ok: true; supersededBy?: number; probes: number }
  /** The reason to roll back: ERR_SKIFF_ROLLED_BACK with why in data.reason. */
  | { ok: false; error: SkiffError };

function rollBack(instance: Instance, reason: string, detail: Record<string, unknown>): ConfirmOutcome {
  return {
    ok: false,
    error: new SkiffError(
      "ERR_SKIFF_ROLLED_BACK",
      `the new instance ${reason} inside the confirmation window; traffic went back to the old one`,
      {
        hint: "see why with skiff logs <app>; the release is not retried until current changes",
        data: { reason, instance: instance.id, ...detail },
      },
    ),
  };
}

/**
 * Watches the new instances through the confirmation window: a health probe every health.interval,
 * and an inspect every EXIT_CHECK_MS in between (a crash is the case where every millisecond
 * counts). Ends early when an instance exits or fails its probes, the app is stopped, or the task
 * is told a newer release is current (then it confirms: the newer release replaces this one next).
 */
export async function watchConfirmation(options: ConfirmOptions): Promise<ConfirmOutcome> {
  const deadline = Date.now() + options.windowMs;
  const intervalMs = Math.max(50, parseDuration(options.health.interval));
  const path = options.health.tcp ? undefined : options.health.http;
  const failures = new Map(options.instances.map((i) => [i.id, 0]));
  let attempt = 0;
  // Only instances whose last probes passed are confirmed early.
  const superseded = (): number | undefined => {
    const end = taskEndOf(options.signal);
    const passing = attempt > 0 && [...failures.values()].every((n) => n === 0);
    return end?.kind === "superseded" && passing ? end.release : undefined;
  };
  const stopped = (): boolean => taskEndOf(options.signal)?.kind === "stopped" || options.isStopped();
  for (;;) {
    if (stopped()) throw options.stoppedError();
    const newer = superseded();
    if (newer !== undefined) return { ok: true, supersededBy: newer, probes: attempt };
    const crashed = await findExited(options);
    if (crashed !== undefined) return rollBack(crashed, "crashed", { attempts: attempt });
    attempt += 1;
    const timeoutMs = Math.max(50, Math.min(2000, deadline - Date.now()));
    const probes = await Promise.all(
      options.instances.map(async (instance) => {
        const probe = await probeOnce({ ...instance.address, path, timeoutMs });
        options.onProbe?.(instance, { ...probe, attempt });
        return { instance, probe };
      }),
    );
    for (const { instance, probe } of probes) {
      const count = probe.ok ? 0 : (failures.get(instance.id) ?? 0) + 1;
      failures.set(instance.id, count);
      if (count < FAILURES_TO_ROLL_BACK) continue;
      // A probe that failed because the process just died is a crash, not a health failure.
      const dead = (await options.inspect(instance)) === "exited";
      return rollBack(instance, dead ? "crashed" : "failed its health check", {
        attempts: attempt,
        lastProbe: probe.reason,
      });
    }
    if (Date.now() >= deadline) return { ok: true, probes: attempt };
    const until = Math.min(Date.now() + intervalMs, deadline);
    const exited = await waitWatchingExit(until, options, () => stopped() || superseded() !== undefined);
    if (exited !== undefined) return rollBack(exited, "crashed", { attempts: attempt });
  }
}

async function findExited(options: ConfirmOptions): Promise<Instance | undefined> {
  for (const instance of options.instances)
    if ((await options.inspect(instance)) === "exited") return instance;
  return undefined;
}

/**
 * Sleeps until `until`, inspecting every EXIT_CHECK_MS; the instance as soon as one has exited,
 * undefined at `until` or as soon as the window has another reason to end (stop, newer release).
 */
async function waitWatchingExit(
  until: number,
  options: ConfirmOptions,
  ending: () => boolean,
): Promise<Instance | undefined> {
  for (;;) {
    const left = until - Date.now();
    if (left <= 0) return undefined;
    // The task's signal wakes the sleep: a newer release ends the window now, not at the next tick.
    const signal = options.signal?.aborted === false ? { signal: options.signal } : {};
    await sleep(Math.min(EXIT_CHECK_MS, left), undefined, signal).catch(() => undefined);
    if (ending()) return undefined;
    const exited = await findExited(options);
    if (exited !== undefined) return exited;
  }
}
