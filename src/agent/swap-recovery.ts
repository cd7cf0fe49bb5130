import { getDriver, type Instance } from "../drivers/index.js";
import { serializeError } from "../errors/index.js";
import type { EventBus } from "../events/index.js";
import type { ProxyClient } from "../proxy/index.js";
import { inspectInstance } from "./read-actual.js";
import { ensureAppProxy } from "./public-address.js";
import { planSwapRecovery } from "./plan-swap-recovery.js";
import { loadLocalRelease } from "./release-files.js";
import { readState, updateAppState } from "./state.js";

const STOP_GRACE_MS = 2000;
/** Connections still open on an instance given up after a dead agent get this long to finish. */
const DRAIN_MS = 5000;

async function isRunning(instance: Instance | undefined): Promise<boolean> {
  return instance !== undefined && (await inspectInstance(instance)) === "running";
}

/**
 * Resolves every swap a dead agent left in state to one serving instance, points the app's proxy
 * at it, and makes sure every other running app's proxy is up and points at its instance.
 */
export async function recoverSwaps(options: { data: string; events: EventBus }): Promise<void> {
  const state = readState(options.data);
  for (const [app, appState] of Object.entries(state.apps)) {
    try {
      const swap = appState.swap;
      let serving = appState.instance;
      if (swap !== undefined) {
        const plan = planSwapRecovery({
          ...swap,
          oldRunning: await isRunning(swap.old),
          nextRunning: await isRunning(swap.next),
        });
        // The public address moves to the survivor first, the others drain, and only then stop.
        const proxy = plan.serve === undefined ? undefined : await routeTo(options.data, plan.serve);
        for (const instance of plan.stop) {
          if (proxy !== undefined && (await isRunning(instance)))
            await proxy.drain(instance.address, DRAIN_MS).catch(() => undefined);
          await getDriver(instance.driver).stop(instance, { graceMs: STOP_GRACE_MS });
        }
        await updateAppState(options.data, app, (s) => {
          delete s.swap;
          if (plan.record === undefined) delete s.instance;
          else s.instance = plan.record;
        });
        serving = plan.serve;
        options.events.emit({
          type: "swap.recovered",
          app,
          release: swap.release,
          deploy: swap.deploy,
          message: `swap interrupted at ${swap.phase}: ${plan.outcome}`,
          data: {
            phase: swap.phase,
            outcome: plan.outcome,
            serving: plan.serve?.id,
            stopped: plan.stop.map((i) => i.id),
          },
        });
        continue;
      }
      if (appState.stopped !== undefined || serving === undefined || !(await isRunning(serving))) continue;
      await routeTo(options.data, serving);
    } catch (error) {
      options.events.emit({
        type: "swap.recovery_failed",
        app,
        message: `could not resolve ${app}'s swap or proxy`,
        error: serializeError(error),
      });
    }
  }
}

/** Ensures the app's proxy points at `instance` (its release's publish address); undefined without the release files. */
async function routeTo(data: string, instance: Instance): Promise<ProxyClient | undefined> {
  const manifest = loadLocalRelease(data, instance.app, instance.release)?.manifest;
  return manifest === undefined ? undefined : ensureAppProxy({ data, manifest, backend: instance });
}
