import { parseDuration } from "../../config/index.js";
import type { Instance } from "../../drivers/index.js";
import { serializeError, SkiffError } from "../../errors/index.js";
import type { EventBus } from "../../events/index.js";
import { frontDoorOf, openAppFront } from "../front/index.js";
import type { HostDrivers } from "../gate/index.js";
import { inspectInstance, loadLocalRelease, type PreparedRelease } from "../instance/index.js";
import { readState, updateAppState, type AppState } from "../state/index.js";
import { createSwapOps } from "../swap/index.js";
import { wakeCount } from "./plan-scale.js";

export interface AddInstancesInput {
  data: string;
  app: string;
  events: EventBus;
  drivers?: HostDrivers;
  signal?: AbortSignal;
  /** wake: none runs and the front door holds connections; scale-up: a replica more under load. */
  reason: "wake" | "scale-up";
  count: number;
}

/** Probes of a woken instance follow each other quickly: a held connection waits for the first success. */
const WAKE_PROBE_INTERVAL = "10ms";

/** The release a wake boots: the one asleep, else what the app runs (or ran). */
function releaseOf(app: AppState): number | undefined {
  return (
    app.asleep?.release ??
    app.instances[0]?.release ??
    (app.lastDeploy?.ok ? app.lastDeploy.release : undefined)
  );
}

function withFastProbes(prepared: PreparedRelease): PreparedRelease {
  const deploy = prepared.manifest.deploy;
  const interval = parseDuration(deploy.health.interval) > 10 ? WAKE_PROBE_INTERVAL : deploy.health.interval;
  return {
    ...prepared,
    manifest: { ...prepared.manifest, deploy: { ...deploy, health: { ...deploy.health, interval } } },
  };
}

async function runningOf(instances: readonly Instance[]): Promise<Instance[]> {
  const states = await Promise.all(instances.map((i) => inspectInstance(i)));
  return instances.filter((_, index) => states[index] === "running");
}

/**
 * Starts instances of the app's release beside the running ones (a wake from zero, or replicas
 * under load), health-checks them, and routes the app's front door to every healthy one. A wake
 * starts more than `count` when the door holds more connections by the time the first one booted
 * (a burst from zero). A wake that brings nothing healthy answers the held connections at once
 * and is reported as wake.failed. Never throws.
 */
export async function addInstances(input: AddInstancesInput): Promise<void> {
  const { data, app, reason } = input;
  const state = readState(data).apps[app];
  if (state === undefined || state.stopped !== undefined) return;
  const release = releaseOf(state);
  const events = input.events.child({ app, ...(release === undefined ? {} : { release }) });
  const started: Instance[] = [];
  const begun = performance.now();
  try {
    const prepared = release === undefined ? undefined : loadLocalRelease(data, app, release);
    if (prepared === undefined)
      throw new SkiffError(
        "ERR_SKIFF_NOT_RUNNING",
        `${app} has no release that passed on this host to wake`,
        {
          hint: `see the app with skiff status; skiff start ${app} deploys what current names`,
        },
      );
    const running = await runningOf(state.instances);
    const limits = prepared.manifest.deploy.scale;
    const room = Math.max(0, limits.max - running.length);
    const front = await openAppFront({ data, manifest: prepared.manifest, serving: running });
    const ops = createSwapOps({
      data,
      events,
      reason,
      front,
      ...(input.drivers ? { drivers: input.drivers } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    });
    const checked = withFastProbes(prepared);
    let wanted = Math.min(input.count, room);
    const checks: Promise<void>[] = [];
    while (started.length < wanted) {
      const instance = await ops.start(prepared, await ops.freePort());
      started.push(instance);
      checks.push(ops.check(instance, checked));
      // A burst from zero: the connections held by now say how many to start.
      if (reason === "wake" && started.length === 1) {
        const held = (await (await frontDoorOf(data)).app(app))?.held ?? 0;
        wanted = Math.min(Math.max(wanted, wakeCount(held, { ...limits, idleMs: 0 })), room);
      }
    }
    const results = await Promise.allSettled(checks);
    const healthy = started.filter((_, index) => results[index]?.status === "fulfilled");
    const failed = started.filter((_, index) => results[index]?.status !== "fulfilled");
    for (const instance of failed) await ops.stop(instance);
    if (healthy.length === 0) {
      const first = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      throw first?.reason ?? new SkiffError("ERR_SKIFF_HEALTH_TIMEOUT", "no instance started");
    }
    await front.route([...running, ...healthy]);
    await updateAppState(data, app, (s) => {
      const failedIds = new Set(failed.map((i) => i.id));
      s.instances = s.instances.filter((i) => !failedIds.has(i.id));
      delete s.asleep;
      if (reason === "wake") delete s.lastWake;
    });
    const durationMs = Math.round(performance.now() - begun);
    for (const instance of healthy)
      events.emit({
        type: reason === "wake" ? "instance.woken" : "instance.scaled_up",
        release: instance.release,
        message: `${instance.id} started (${reason}) and serves after ${durationMs} ms`,
        data: { instance: instance.id, reason, durationMs, instances: running.length + healthy.length },
      });
  } catch (error) {
    await forget(data, app, started, input);
    const serialized = serializeError(error);
    if (reason === "wake") await reportWakeFailed({ data, app, events, release, error: serialized });
    else
      events.emit({
        type: "instance.scale_up_failed",
        message: `a replica more of ${app} did not start: ${serialized.message}`,
        error: serialized,
      });
  }
}

/** Stops and forgets instances a failed wake or scale-up started. */
async function forget(
  data: string,
  app: string,
  started: readonly Instance[],
  input: AddInstancesInput,
): Promise<void> {
  if (started.length === 0) return;
  const ops = createSwapOps({
    data,
    events: input.events,
    ...(input.drivers ? { drivers: input.drivers } : {}),
  });
  for (const instance of started) await ops.stop(instance).catch(() => undefined);
  const ids = new Set(started.map((i) => i.id));
  await updateAppState(data, app, (s) => void (s.instances = s.instances.filter((i) => !ids.has(i.id))));
}

/** Held connections are answered now, the failure is reported like a failed deploy and shown by skiff status. */
async function reportWakeFailed(options: {
  data: string;
  app: string;
  events: EventBus;
  release: number | undefined;
  error: ReturnType<typeof serializeError>;
}): Promise<void> {
  const { data, app, events, release, error } = options;
  const answered = await (await frontDoorOf(data)).wakeFailed(app, error.message).catch(() => 0);
  if (release !== undefined)
    await updateAppState(data, app, (s) => {
      s.lastWake = { release, ok: false, at: new Date().toISOString(), error };
    });
  events.emit({
    type: "wake.failed",
    message: `${app} did not wake: ${error.message}${answered > 0 ? ` (${answered} held connection(s) answered 503)` : ""}`,
    error,
    data: { answered },
  });
}

/** Wakes a sleeping app by hand (AgentHandle.wake): as many instances as the connections it holds ask for. */
export async function wakeApp(input: Omit<AddInstancesInput, "reason" | "count">): Promise<void> {
  await addInstances({ ...input, reason: "wake", count: 1 });
}
