import type { Instance } from "../../drivers/index.js";
import { serializeError } from "../../errors/index.js";
import { openAppFront } from "../front/index.js";
import {
  createDeployId,
  gateRestart,
  inspectInstance,
  instanceExitNoted,
  loadLocalRelease,
  type PreparedRelease,
} from "../instance/index.js";
import type { Action } from "../plan/index.js";
import { asRecord, readState, updateAppState } from "../state/index.js";
import { prepareFromMirror, type ActionContext, type ActionOutcome } from "./action-context.js";
import { createSwapOps } from "./swap-ops.js";

type RestartAction = Extract<Action, { kind: "restart" }>;

/** Starts again a release whose instance died, from its unpacked files (or the mirror when they are gone). */
export async function restartInstance(action: RestartAction, ctx: ActionContext): Promise<ActionOutcome> {
  const deploy = createDeployId();
  const events = ctx.events.child({ app: action.app, release: action.release, deploy });
  // The agent's watch reported it the moment it exited; a pass that found it dead reports it here.
  if (!instanceExitNoted(action.instance.id))
    events.emit({ type: "instance.exited", message: action.reason, data: { instance: action.instance.id } });
  const since = new Date().toISOString();
  const common = {
    data: ctx.data,
    events,
    reason: "restart" as const,
    ...(ctx.drivers ? { drivers: ctx.drivers } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  const ops = createSwapOps(common);
  const restartOps = createSwapOps({
    ...common,
    swap: {
      data: ctx.data,
      app: action.app,
      deploy,
      strategy: "restart",
      release: action.release,
      startedAt: since,
      reason: "restart",
    },
  });
  let started: Instance | undefined;
  let prepared: PreparedRelease | undefined;
  try {
    prepared =
      loadLocalRelease(ctx.data, action.app, action.release) ??
      (await prepareFromMirror(ctx, action.app, action.release));
    // Meanwhile the door stops sending connections to the dead instance: with no other one it holds
    // them (as for a wake) and hands them to the new instance once routed to it.
    const away = routeAway(ctx.data, prepared, action.instance);
    // Crash loops: backoff before the restart, a report and no restart after deploy.restart.limit.
    const gating = gateRestart({
      data: ctx.data,
      app: action.app,
      crashed: action.instance,
      prepared,
      events,
      since,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const [gate] = await Promise.all([gating, away]);
    if (gate !== undefined) return { action, ok: false, deploy, error: gate, instances: [] };
    await restartOps.phase("starting", { old: [action.instance], next: [] });
    started = await restartOps.start(prepared, await restartOps.freePort());
    await ops.check(started, prepared);
    await finishRestart({ data: ctx.data, prepared, instance: started, dead: action.instance });
    events.emit({
      type: "instance.restarted",
      message: `${started.id} replaces ${action.instance.id}`,
      data: { instance: started.id },
    });
    return { action, ok: true, deploy, instances: [started] };
  } catch (error) {
    if (started !== undefined) await ops.stop(started);
    // Keep the dead record: the next pass tries again, and never starts a second instance.
    await updateAppState(ctx.data, action.app, (app) => {
      app.instances = replace(app.instances, action.instance, asRecord(action.instance, "deploy"));
      delete app.swap;
    });
    const serialized = serializeError(error);
    events.emit({
      type: "instance.restart_failed",
      message: `restart failed: ${serialized.message}`,
      error: serialized,
    });
    return { action, ok: false, deploy, error: serialized, instances: [] };
  }
}

/** Routes the app to its instances that still run, without `dead`; a door that cannot be told keeps its routes. */
async function routeAway(data: string, prepared: PreparedRelease, dead: Instance): Promise<void> {
  const others = (readState(data).apps[dead.app]?.instances ?? []).filter((i) => i.id !== dead.id);
  const alive = await Promise.all(
    others.map(async (i) => ((await inspectInstance(i)) === "running" ? [i] : [])),
  );
  await openAppFront({ data, manifest: prepared.manifest, serving: alive.flat() }).catch(() => undefined);
}

/** After a restart: the new instance takes the dead one's place among the app's instances, the public address points at it. */
async function finishRestart(options: {
  data: string;
  prepared: PreparedRelease;
  instance: Instance;
  dead: Instance;
}): Promise<void> {
  const instances = await updateAppState(options.data, options.dead.app, (app) => {
    app.instances = replace(app.instances, options.dead, asRecord(options.instance, "restart"));
    delete app.swap;
    return app.instances;
  });
  await openAppFront({ data: options.data, manifest: options.prepared.manifest, serving: instances });
}

/** The list with `dead` (by id) replaced by `record`, or `record` added when `dead` is not in it. */
function replace<T extends { id: string }>(list: readonly T[], dead: { id: string }, record: T): T[] {
  const at = list.findIndex((i) => i.id === dead.id);
  return at < 0 ? [...list, record] : list.map((i, index) => (index === at ? record : i));
}
