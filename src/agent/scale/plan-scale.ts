/** Scaling decisions, from plain values only (no fs, process or network): when to wake, add or stop instances. */

export interface ScaleLimits {
  min: number;
  max: number;
  /** An instance with no open connection for this long is stopped (down to min). */
  idleMs: number;
  /** Target open connections per instance. */
  concurrency: number;
}

export interface ScaledInstance {
  id: string;
  /** Open connections the front door counts on it now. */
  open: number;
  /** Its last connection opened or closed (epoch ms), or when it started when it had none. */
  lastActivityMs: number;
}

export interface ScaleView {
  limits: ScaleLimits;
  /** The app's running instances (ready backends of its front door). */
  instances: readonly ScaledInstance[];
  /** Connections the door holds for the app (no ready backend). */
  held: number;
  nowMs: number;
  /** Since when open connections per instance stayed above concurrency; undefined while they are not. */
  aboveSinceMs?: number;
}

export type ScaleDecision =
  | { kind: "wake"; count: number }
  | { kind: "scale-up"; count: number }
  | { kind: "scale-down"; stop: string[] };

/** Open connections per instance must stay above concurrency this long before another replica starts. */
export const SCALE_UP_WINDOW_MS = 1000;

/** How many instances a wake starts for `held` connections: one per `concurrency`, within 1..max. */
export function wakeCount(held: number, limits: ScaleLimits): number {
  return Math.max(1, Math.min(Math.ceil(held / limits.concurrency), limits.max));
}

/** True when the app's open connections per instance are above its concurrency now. */
export function isAbove(view: Pick<ScaleView, "instances" | "limits">): boolean {
  const open = view.instances.reduce((sum, i) => sum + i.open, 0);
  return view.instances.length > 0 && open / view.instances.length > view.limits.concurrency;
}

/** What the app needs now: a wake (held, none running), a replica more (sustained load), idle ones stopped. */
export function planScale(view: ScaleView): ScaleDecision | undefined {
  const { limits, instances } = view;
  if (instances.length === 0)
    return view.held > 0 ? { kind: "wake", count: wakeCount(view.held, limits) } : undefined;
  const open = instances.reduce((sum, i) => sum + i.open, 0);
  if (
    instances.length < limits.max &&
    view.aboveSinceMs !== undefined &&
    view.nowMs - view.aboveSinceMs >= SCALE_UP_WINDOW_MS &&
    isAbove(view)
  ) {
    const wanted = Math.min(Math.ceil(open / limits.concurrency), limits.max);
    return { kind: "scale-up", count: Math.max(1, wanted - instances.length) };
  }
  // Never below min, and never while connections wait.
  const spare = instances.length - limits.min;
  if (spare <= 0 || view.held > 0) return undefined;
  const idle = instances
    .filter((i) => i.open === 0 && view.nowMs - i.lastActivityMs >= limits.idleMs)
    .sort((a, b) => a.lastActivityMs - b.lastActivityMs)
    .slice(0, spare)
    .map((i) => i.id);
  return idle.length === 0 ? undefined : { kind: "scale-down", stop: idle };
}
