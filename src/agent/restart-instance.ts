import type { Instance } from "../drivers/index.js";
import { serializeError } from "../errors/index.js";
import type { ApplyContext, ActionOutcome } from "./apply-context.js";
import { createDeployId } from "./deploy-id.js";
import type { Action } from "./plan.js";
import { skiffLayout } from "./layouts/index.js";
import { loadLocalRelease, type PreparedRelease } from "./release-files.js";
import { updateAppState } from "./state.js";
import { createSwapOps } from "./swap-ops.js";
import { finishRestart, gateRestart } from "./crash-loop.js";

type RestartAction = Extract<Action, { kind: "restart" }>;

/** Starts again a release whose instance died, from its unpacked files (or the mirror when they are gone). */
export async function restartInstance(action: RestartAction, ctx: ApplyContext): Promise<ActionOutcome> {
  const deploy = createDeployId();
  const events = ctx.events.child({ app: action.app, release: action.release, deploy });
  events.emit({ type: "instance.exited", message: action.reason, data: { instance: action.instance.id } });
  const ops = createSwapOps({
    data: ctx.data,
    events,
    ...(ctx.drivers ? { drivers: ctx.drivers } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const since = new Date().toISOString();
  const restartOps = createSwapOps({
    data: ctx.data,
    events,
    ...(ctx.drivers ? { drivers: ctx.drivers } : {}),
    swap: {
      data: ctx.data,
      app: action.app,
      deploy,
      strategy: "restart",
      release: action.release,
      startedAt: since,
    },
  });
  let started: Instance | undefined;
  let prepared: PreparedRelease | undefined;
  try {
    prepared =
      loadLocalRelease(ctx.data, action.app, action.release) ??
      (await (ctx.layout ?? skiffLayout).prepare({
        data: ctx.data,
        mirror: ctx.mirror,
        commit: ctx.commit,
        app: action.app,
        release: action.release,
        ...(ctx.reader ? { reader: ctx.reader } : {}),
        ...(ctx.drivers ? { drivers: ctx.drivers } : {}),
      }));
    // Crash loops: backoff before the restart, a report and no restart after deploy.restart.limit.
    const gate = await gateRestart({
      data: ctx.data,
      app: action.app,
      crashed: action.instance,
      prepared,
      events,
      since,
    });
    if (gate !== undefined) return { action, ok: false, deploy, error: gate };
    await restartOps.phase("starting", { old: action.instance });
    started = await restartOps.start(prepared, await restartOps.freePort());
    await ops.check(started, prepared);
    await finishRestart({ data: ctx.data, prepared, instance: started, fallback: action.instance });
    events.emit({
      type: "instance.restarted",
      message: `${started.id} replaces ${action.instance.id}`,
      data: { instance: started.id },
    });
    return { action, ok: true, deploy, instance: started };
  } catch (error) {
    if (started !== undefined) await ops.stop(started);
    // Keep the dead record: the next pass tries again, and never starts a second instance.
    await updateAppState(ctx.data, action.app, (app) => {
      app.instance = action.instance;
      delete app.swap;
    });
    const serialized = serializeError(error);
    events.emit({
      type: "instance.restart_failed",
      message: `restart failed: ${serialized.message}`,
      error: serialized,
    });
    return { action, ok: false, deploy, error: serialized };
  }
}
