import { setTimeout as sleep } from "node:timers/promises";
import type { FixtureApp } from "./fixture-app.js";
import { versionOf } from "./load.js";
import type { LoadPauses } from "./load.js";
import type { AddressBook } from "./addresses.js";
import { getFresh } from "./net.js";
import { readAllEvents } from "./read-events.js";
import type { RunDir } from "./run-dir.js";
import type { Host } from "./start-hosts.js";
import type { FaultRecord } from "./types.js";

/** The sleepy app's deploy.scale (fixture-app.ts writes it): it may stop after this much idleness. */
export const SLEEPY_IDLE_MS = 3000;
export const SLEEPY_WAKE_TIMEOUT_MS = 10_000;
/** How long past `idle` an idle instance gets to be stopped (the agent checks now and then). */
const IDLE_STOP_GRACE_MS = 8000;

export interface WakeContext {
  dir: RunDir;
  hosts: Host[];
  book: AddressBook;
  pauses: LoadPauses;
  signal: AbortSignal;
  /** The injector's records as they grow: a fault on the host restarts the wait for an idle stop. */
  faults: readonly FaultRecord[];
}

/**
 * When the idle clock of a wait that began at `since` on `host` starts: at the end of the last fault
 * on that host (pure). A fault there may hold the idle stop up: the agent is down (kill-agent,
 * kill-server) or cannot record the stop (fill-disk), or a new instance or front door has its own
 * idle time (kill-instance, kill-front).
 */
export function idleClockStart(
  faults: readonly FaultRecord[],
  host: string,
  since: number,
  now: number,
): number {
  let start = since;
  for (const f of faults) {
    if (f.skipped !== undefined || f.host !== host || f.at > now) continue;
    const end = Math.max(f.at, f.endedAt ?? (f.kind === "fill-disk" ? now : f.at), f.recoveredAt ?? f.at);
    if (end >= since) start = Math.max(start, Math.min(end, now));
  }
  return start;
}

/** Whether scale-to-zero works here: a wake action runs, or is skipped with this reason. */
export type ScaleToZero = { honoured: true } | { honoured: false; reason: string };

function sawEvent(ctx: WakeContext, type: string, app: string, host: string, since: number): boolean {
  return readAllEvents(ctx.dir, ctx.hosts).some(
    (e) => e.type === type && e.app === app && e.host === host && e.time >= since,
  );
}

/**
 * Pauses the load of `app` on `host` until its instance is stopped for idleness; false at the
 * deadline: idle + grace after the wait began, or after the last fault on the host ended.
 */
async function idleUntilStopped(ctx: WakeContext, app: string, host: string): Promise<boolean> {
  const since = Date.now();
  const deadline = (): number =>
    idleClockStart(ctx.faults, host, since, Date.now()) + SLEEPY_IDLE_MS + IDLE_STOP_GRACE_MS;
  while (Date.now() < deadline() && !ctx.signal.aborted) {
    if (sawEvent(ctx, "instance.idle_stopped", app, host, since)) return true;
    await sleep(250);
  }
  return false;
}

/**
 * Probes, once, whether `deploy.scale.min: 0` is honoured: with the sleepy app's load paused on
 * every host, each host must stop its instance for idleness (instance.idle_stopped).
 */
export async function probeScaleToZero(ctx: WakeContext, app: FixtureApp): Promise<ScaleToZero> {
  const keys = ctx.hosts.map((h) => `${app.name}@${h.name}`);
  keys.forEach((k) => ctx.pauses.add(k));
  try {
    const stopped = await Promise.all(ctx.hosts.map((h) => idleUntilStopped(ctx, app.name, h.name)));
    const missing = ctx.hosts.filter((_, i) => !stopped[i]).map((h) => h.name);
    if (missing.length === 0) return { honoured: true };
    const waited = (SLEEPY_IDLE_MS + IDLE_STOP_GRACE_MS) / 1000;
    return {
      honoured: false,
      reason: `deploy.scale.min: 0 is not honoured: ${app.name} (idle: ${SLEEPY_IDLE_MS / 1000}s) left no instance.idle_stopped on ${missing.join(", ")} within ${waited}s without traffic`,
    };
  } finally {
    keys.forEach((k) => ctx.pauses.delete(k));
  }
}

/**
 * One wake: the app's load paused on `host` until its instance stops for idleness, then one request
 * that must be answered by the app within wake_timeout (the front door holds it while it boots) and
 * an instance.woken event. Resolves with what happened.
 */
export async function wakeApp(
  ctx: WakeContext,
  app: FixtureApp,
  host: string,
): Promise<{ ok: boolean; detail: string }> {
  const key = `${app.name}@${host}`;
  ctx.pauses.add(key);
  try {
    if (!(await idleUntilStopped(ctx, app.name, host)))
      return {
        ok: false,
        detail: `${app.name} on ${host} was not stopped for idleness within ${(SLEEPY_IDLE_MS + IDLE_STOP_GRACE_MS) / 1000}s without traffic (counted from the end of the host's last fault)`,
      };
    const url = ctx.book.url(host, app.name);
    if (url === undefined) return { ok: false, detail: `no public address for ${app.name} on ${host}` };
    const sent = Date.now();
    const answer = await getFresh(`${url}/`, SLEEPY_WAKE_TIMEOUT_MS + 2000).catch((error: Error) => error);
    const took = Date.now() - sent;
    if (answer instanceof Error) return { ok: false, detail: `wake request: ${answer.message}` };
    const version = versionOf(answer.body);
    if (answer.status !== 200 || version === undefined)
      return { ok: false, detail: `wake request answered ${answer.status} after ${took} ms` };
    await sleep(1000);
    const woken = sawEvent(ctx, "instance.woken", app.name, host, sent);
    // A full disk on the host while it woke: the event could not be written (the wake itself was answered).
    const lost =
      !woken &&
      ctx.faults.some(
        (f) =>
          f.kind === "fill-disk" &&
          f.host === host &&
          f.at <= sent + took + 1000 &&
          (f.endedAt ?? Infinity) >= sent,
      );
    return {
      ok: woken || lost,
      detail: `woken on ${host} in ${took} ms (${version})${woken ? "" : lost ? ", its instance.woken event lost to the full disk" : ", but no instance.woken event"}`,
    };
  } finally {
    ctx.pauses.delete(key);
  }
}
