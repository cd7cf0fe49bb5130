import { setTimeout as sleep } from "node:timers/promises";
import { parseDuration, type HealthConfig } from "../config/index.js";
import type { Instance, InstanceStatus } from "../drivers/index.js";
import { SkiffError } from "../errors/index.js";
import { probeOnce, type ProbeResult } from "./probe.js";

/** Failed probes in a row that count as "fails its health check" inside the window (one can be a blip). */
const FAILURES_TO_ROLL_BACK = 2;
/** How often the window looks for a newer release in the deployment repository, unless told otherwise. */
const POINTER_CHECK_MS = 1000;
/** How often the window inspects the instance between probes: a crash is switched back within this. */
const EXIT_CHECK_MS = 50;

export interface ConfirmOptions {
  instance: Instance;
  health: HealthConfig;
  windowMs: number;
  inspect: () => Promise<InstanceStatus>;
  onProbe?: (probe: ProbeResult & { attempt: number }) => void;
  /** The followed pointer's value now (fetched); a different release ends the window early. */
  readPointer?: () => Promise<number | undefined>;
  /**
   * How often readPointer is asked (default 1 s). A running agent asks as often as it polls: a
   * trigger or the server's word wakes the window at once (supersededBy), so a fetch every second
   * would only add load while the next release is built and stored.
   */
  pointerCheckMs?: number;
  /** A newer release seen by other means (a trigger's fetch); ends the window early while probes pass. */
  supersededBy?: () => number | undefined;
  /** Sleeps `ms`, or less when news of a newer release may have arrived (the pointer watch); default a plain sleep. */
  waitForNews?: (ms: number) => Promise<void>;
  /** True once `skiff stop` was run for the app: the window ends with ERR_SKIFF_APP_STOPPED. */
  isStopped: () => boolean;
  stoppedError: () => SkiffError;
}

export type ConfirmOutcome =
  | { ok: true; supersededBy?: number; probes: number }
  /** The reason to roll back: ERR_SKIFF_ROLLED_BACK with why in data.reason. */
  | { ok: false; error: SkiffError };

function rollBack(reason: string, detail: Record<string, unknown>): ConfirmOutcome {
  return {
    ok: false,
    error: new SkiffError(
      "ERR_SKIFF_ROLLED_BACK",
      `the new instance ${reason} inside the confirmation window; traffic went back to the old one`,
      {
        hint: "see why with skiff logs <app>; the release is not retried until current changes",
        data: { reason, ...detail },
      },
    ),
  };
}

/**
 * Watches the new instance through the confirmation window: a health probe every health.interval,
 * and an inspect every EXIT_CHECK_MS in between (a crash is the case where every millisecond counts). Ends early when the instance exits, fails its probes, the app is stopped, or a
 * newer release became current (then it confirms: the newer release replaces this one next).
 */
export async function watchConfirmation(options: ConfirmOptions): Promise<ConfirmOutcome> {
  const deadline = Date.now() + options.windowMs;
  const intervalMs = Math.max(50, parseDuration(options.health.interval));
  const path = options.health.tcp ? undefined : options.health.http;
  let failures = 0;
  let attempt = 0;
  const pointerCheckMs = options.pointerCheckMs ?? POINTER_CHECK_MS;
  let nextPointerCheck = Date.now() + pointerCheckMs;
  // Only an instance whose last probe passed is confirmed early.
  const superseded = (): number | undefined =>
    failures === 0 && attempt > 0 ? options.supersededBy?.() : undefined;
  for (;;) {
    if (options.isStopped()) throw options.stoppedError();
    const newer = superseded();
    if (newer !== undefined) return { ok: true, supersededBy: newer, probes: attempt };
    if ((await options.inspect()) === "exited") return rollBack("crashed", { attempts: attempt });
    attempt += 1;
    const timeoutMs = Math.max(50, Math.min(2000, deadline - Date.now()));
    const probe = await probeOnce({ ...options.instance.address, path, timeoutMs });
    options.onProbe?.({ ...probe, attempt });
    failures = probe.ok ? 0 : failures + 1;
    if (failures >= FAILURES_TO_ROLL_BACK) {
      // A probe that failed because the process just died is a crash, not a health failure.
      const crashed = (await options.inspect()) === "exited";
      return rollBack(crashed ? "crashed" : "failed its health check", {
        attempts: attempt,
        lastProbe: probe.reason,
      });
    }
    if (Date.now() >= deadline) return { ok: true, probes: attempt };
    if (options.readPointer !== undefined && Date.now() >= nextPointerCheck) {
      nextPointerCheck = Date.now() + pointerCheckMs;
      const current = await options.readPointer().catch(() => undefined);
      if (current !== undefined && current !== options.instance.release && failures === 0) {
        return { ok: true, supersededBy: current, probes: attempt };
      }
    }
    const until = Math.min(Date.now() + intervalMs, deadline);
    if (await waitWatchingExit(until, options, superseded)) return rollBack("crashed", { attempts: attempt });
  }
}

/**
 * Sleeps until `until`, inspecting every EXIT_CHECK_MS; true as soon as the instance has exited,
 * false at `until` or as soon as the window has another reason to end (stop, newer release).
 */
async function waitWatchingExit(
  until: number,
  options: ConfirmOptions,
  superseded: () => number | undefined,
): Promise<boolean> {
  for (;;) {
    const left = until - Date.now();
    if (left <= 0) return false;
    const ms = Math.min(EXIT_CHECK_MS, left);
    await (options.waitForNews ? options.waitForNews(ms) : sleep(ms));
    if (options.isStopped() || superseded() !== undefined) return false;
    if ((await options.inspect()) === "exited") return true;
  }
}
