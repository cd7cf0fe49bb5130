import { setTimeout as sleep } from "node:timers/promises";
import { parseDuration } from "../../config/index.js";
import { serializeError, SkiffError } from "../../errors/index.js";
import type { EventBus } from "../../events/index.js";
import type { AppStatus as DoorAppStatus } from "../../proxy/index.js";
import { runningFrontDoor, watchFrontDoor } from "../front/index.js";
import type { HostDrivers } from "../gate/index.js";
import { loadLocalRelease } from "../instance/index.js";
import { readState, type AppState } from "../state/index.js";
import type { Workers } from "../worker/index.js";
import { addInstances } from "./add-instances.js";
import { isAbove, planScale, wakeCount, type ScaleLimits, type ScaleView } from "./plan-scale.js";
import { stopIdle } from "./stop-idle.js";

export interface ScalerOptions {
  data: string;
  events: EventBus;
  drivers?: HostDrivers;
  workers: Workers<unknown>;
  /** Aborted when the agent begins to stop (its loop's signal): a task that waits on the disk gives up. */
  stopping?: AbortSignal;
  /** Heals one app's front door (its worker's recover task), after the door was started again; false: failed. */
  heal(app: string): Promise<boolean>;
  /** How often the front door's counts are read (default 250 ms). */
  tickMs?: number;
}

export interface Scaler {
  stop(): Promise<void>;
}

/** How often the front door's counts are read to stop idle instances and add replicas under load. */
const TICK_MS = 250;

/**
 * The agent's elastic side while it runs: wakes apps the front door asks for, adds replicas under
 * sustained load, stops idle instances down to deploy.scale.min, and brings the door back when it
 * dies. Every change runs in the app's worker, only while it is idle (a deploy in flight wins).
 */
export function startScaler(options: ScalerOptions): Scaler {
  const { data, workers } = options;
  const abort = new AbortController();
  const aboveSince = new Map<string, number>();
  // When the scaler first saw each instance ready at the door: its idle time counts from then, not
  // from its spawn, so an instance that took longer to boot than `idle` is not stopped as it serves.
  const readySince = new Map<string, number>();
  const limitsCache = new Map<string, ScaleLimits | undefined>();

  const limitsOf = (app: string, appState: AppState): ScaleLimits | undefined => {
    const release = appState.instances[0]?.release ?? appState.asleep?.release;
    if (release === undefined) return undefined;
    const key = `${app}/${release}`;
    if (!limitsCache.has(key)) {
      const scale = loadLocalRelease(data, app, release)?.manifest.deploy.scale;
      limitsCache.set(
        key,
        scale && {
          min: scale.min,
          max: scale.max,
          idleMs: parseDuration(scale.idle),
          concurrency: scale.concurrency,
        },
      );
    }
    return limitsCache.get(key);
  };

  const ended = (): boolean => abort.signal.aborted || options.stopping?.aborted === true;
  // No new task once the scaler or the agent is stopping (a wake after a busy task comes late too).
  const submit = (app: string, what: string, run: (signal: AbortSignal) => Promise<unknown>): void => {
    if (ended() || workers.busy(app) !== undefined) return;
    void workers
      .submit(app, { what, run: async (signal) => void (await run(signal)) })
      .catch(() => undefined);
  };
  const common = { data, events: options.events, ...(options.drivers ? { drivers: options.drivers } : {}) };
  const wake = (app: string, count: number): void =>
    submit(app, "wake", () => addInstances({ ...common, app, reason: "wake", count }));

  /** The app's scale limits while it sleeps (known, scaled, no instance, neither stopped nor in a swap). */
  const asleepLimits = (app: string): ScaleLimits | undefined => {
    const appState = readState(data).apps[app];
    if (appState === undefined || appState.instances.length > 0) return undefined;
    if (appState.stopped !== undefined || appState.swap !== undefined) return undefined;
    return limitsOf(app, appState);
  };
  /** Wakes `app` if, once its worker is idle, it still sleeps and the door holds connections for it. */
  const wakeIfHeld = async (app: string): Promise<void> => {
    const limits = asleepLimits(app);
    if (limits === undefined) return;
    const held = (await runningFrontDoor(data)?.app(app))?.held ?? 0;
    if (held > 0) wake(app, wakeCount(held, limits));
  };
  // A wake asked for while the app's worker is busy (its last instance stopping as the connection
  // came, a deploy) runs as soon as that task ends, not at the next reading of the door's counts.
  const wakeAfterBusy = new Set<string>();
  const wakeWhenIdle = (app: string): void => {
    if (wakeAfterBusy.has(app)) return;
    wakeAfterBusy.add(app);
    void workers
      .settled(app)
      .then(() => {
        wakeAfterBusy.delete(app);
        return wakeIfHeld(app);
      })
      .catch(() => undefined);
  };

  const decide = (app: string, appState: AppState, door: DoorAppStatus, now: number): void => {
    const limits = limitsOf(app, appState);
    if (limits === undefined || (limits.min >= 1 && limits.max <= 1)) return;
    const byId = new Map(door.backends.map((b) => [b.id, b]));
    const instances = appState.instances.map((i) => {
      const backend = byId.get(i.id);
      if (backend?.state === "ready" && !readySince.has(i.id)) readySince.set(i.id, now);
      const last = backend?.lastActivity ?? i.startedAt;
      return {
        id: i.id,
        open: backend?.open ?? 0,
        // Not ready at the door yet: it has not had a chance to serve, so it is not idle.
        lastActivityMs: Math.max(Date.parse(last), Date.parse(i.startedAt), readySince.get(i.id) ?? now),
      };
    });
    const view: ScaleView = { limits, instances, held: door.held, nowMs: now };
    if (!isAbove(view)) aboveSince.delete(app);
    else if (!aboveSince.has(app)) aboveSince.set(app, now);
    const since = aboveSince.get(app);
    const decision = planScale(since === undefined ? view : { ...view, aboveSinceMs: since });
    if (decision?.kind === "wake") wake(app, decision.count);
    else if (decision?.kind === "scale-up") {
      aboveSince.delete(app);
      submit(app, "scale-up", () =>
        addInstances({ ...common, app, reason: "scale-up", count: decision.count }),
      );
    } else if (decision?.kind === "scale-down")
      submit(app, "scale-down", async (signal) => {
        const ending = [signal, abort.signal, ...(options.stopping ? [options.stopping] : [])];
        const asleep = await stopIdle({
          ...common,
          app,
          stop: decision.stop,
          signal: AbortSignal.any(ending),
        });
        // A connection that came while the last one stopped is held: wake at once.
        const held = asleep ? ((await runningFrontDoor(data)?.app(app))?.held ?? 0) : 0;
        if (held > 0) await addInstances({ ...common, app, reason: "wake", count: wakeCount(held, limits) });
      });
  };

  const tick = async (): Promise<void> => {
    const door = runningFrontDoor(data);
    if (door === undefined) return;
    const status = await door.status();
    const state = readState(data);
    const now = Date.now();
    const live = new Set(Object.values(state.apps).flatMap((a) => a.instances.map((i) => i.id)));
    for (const id of readySince.keys()) if (!live.has(id)) readySince.delete(id);
    for (const [app, appState] of Object.entries(state.apps)) {
      const doorApp = status.apps[app];
      if (doorApp === undefined || appState.stopped !== undefined || appState.swap !== undefined) continue;
      decide(app, appState, doorApp, now);
    }
  };

  const ticking = (async () => {
    while (!abort.signal.aborted) {
      await tick().catch((error: unknown) =>
        options.events.emit({
          type: "agent.scale_failed",
          message: "reading the front door failed",
          error: serializeError(error),
        }),
      );
      await sleep(options.tickMs ?? TICK_MS, undefined, { signal: abort.signal }).catch(() => undefined);
    }
  })();

  const watching = watchFrontDoor({
    data,
    events: options.events,
    signal: abort.signal,
    onWake: (app, held) => {
      if (workers.busy(app) !== undefined) return wakeWhenIdle(app);
      // The count the door's event carries: no round trip to ask it again on the wake path.
      const limits = asleepLimits(app);
      if (limits !== undefined) wake(app, wakeCount(held, limits));
    },
    onRestored: async () => {
      const apps = Object.keys(readState(data).apps);
      const healed = await Promise.all(apps.map((app) => options.heal(app).catch(() => false)));
      const failed = apps.filter((_, index) => !healed[index]);
      // The watch retries: a port the dead door's HAProxy still held a moment ago binds on a later try.
      if (failed.length > 0)
        throw new SkiffError("ERR_SKIFF_PROXY", `the front door could not serve ${failed.join(", ")} again`, {
          hint: "The agent retries every 500 ms; swap.recovery_failed events say why each failed.",
        });
    },
  });

  return {
    async stop() {
      abort.abort();
      await Promise.all([ticking, watching]);
    },
  };
}
