import { getDriver, type Instance } from "../../drivers/index.js";
import { serializeError } from "../../errors/index.js";
import type { EventBus } from "../../events/index.js";
import { openAppFront, type AppFront } from "../front/index.js";
import { inspectInstance, loadLocalRelease } from "../instance/index.js";
import { planSwapRecovery } from "../plan/index.js";
import { keepRecords, readState, updateAppState } from "../state/index.js";

const STOP_GRACE_MS = 2000;
/** Connections still open on an instance given up after a dead agent get this long to finish. */
const DRAIN_MS = 5000;

/**
 * Resolves a swap a dead agent left in state to one serving set and points the app's front door at
 * it. Runs in the app's worker, so no swap of this agent is in flight. True when there was a swap;
 * never throws (a failure is reported as swap.recovery_failed).
 */
export async function resolveSwap(options: {
  data: string;
  app: string;
  events: EventBus;
}): Promise<boolean> {
  const { data, app, events } = options;
  const swap = readState(data).apps[app]?.swap;
  if (swap === undefined) return false;
  try {
    const alive = new Set((await runningOf([...swap.old, ...swap.next])).map((i) => i.id));
    const plan = planSwapRecovery({ ...swap, running: (i) => alive.has(i.id) });
    // The public address moves to the survivors first, the others drain, and only then stop.
    const front = plan.serve.length === 0 ? undefined : await routeTo(data, plan.serve);
    for (const instance of plan.stop) {
      if (front !== undefined && alive.has(instance.id))
        await front.drain(instance, DRAIN_MS).catch(() => undefined);
      await getDriver(instance.driver).stop(instance, { graceMs: STOP_GRACE_MS });
    }
    await updateAppState(data, app, (s) => {
      s.instances = keepRecords(s, plan.record, "deploy");
      delete s.swap;
    });
    events.emit({
      type: "swap.recovered",
      app,
      release: swap.release,
      deploy: swap.deploy,
      message: `swap interrupted at ${swap.phase}: ${plan.outcome}`,
      data: {
        phase: swap.phase,
        outcome: plan.outcome,
        serving: plan.serve[0]?.id,
        stopped: plan.stop.map((i) => i.id),
      },
    });
  } catch (error) {
    reportFailure(events, app, error);
  }
  return true;
}

/**
 * Makes sure the front door of a running app is up and points at its instances, so a front door
 * process that died meanwhile comes back. Never throws: false when it failed (reported as
 * swap.recovery_failed), for a caller that retries.
 */
export async function healFrontDoor(options: {
  data: string;
  app: string;
  events: EventBus;
}): Promise<boolean> {
  const appState = readState(options.data).apps[options.app];
  if (appState === undefined || appState.stopped !== undefined || appState.swap !== undefined) return true;
  try {
    const running = await runningOf(appState.instances);
    if (running.length > 0) await routeTo(options.data, running);
    // Scaled to zero: the door holds its connections and asks for a wake.
    else if (appState.asleep !== undefined)
      await routeAsleep(options.data, options.app, appState.asleep.release);
    return true;
  } catch (error) {
    reportFailure(options.events, options.app, error);
    return false;
  }
}

function reportFailure(events: EventBus, app: string, error: unknown): void {
  events.emit({
    type: "swap.recovery_failed",
    app,
    message: `could not resolve ${app}'s swap or front door`,
    error: serializeError(error),
  });
}

async function runningOf(instances: readonly Instance[]): Promise<Instance[]> {
  const running: Instance[] = [];
  for (const instance of instances)
    if ((await inspectInstance(instance)) === "running") running.push(instance);
  return running;
}

/** Points the app's front door at `instances` (their release's publish address); undefined without the release files. */
async function routeTo(data: string, instances: readonly Instance[]): Promise<AppFront | undefined> {
  const first = instances[0];
  const manifest = first && loadLocalRelease(data, first.app, first.release)?.manifest;
  return manifest === undefined ? undefined : openAppFront({ data, manifest, serving: instances });
}

/** Puts a sleeping app on its front door with no backend (its release's addresses and scale). */
async function routeAsleep(data: string, app: string, release: number): Promise<void> {
  const manifest = loadLocalRelease(data, app, release)?.manifest;
  if (manifest !== undefined) await openAppFront({ data, manifest, serving: [] });
}
