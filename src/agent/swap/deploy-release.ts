import type { SwapSlot } from "../../fleet/index.js";
import type { Instance } from "../../drivers/index.js";
import { serializeError, type SerializedError } from "../../errors/index.js";
import type { EventBus } from "../../events/index.js";
import { openAppFront, type AppFront } from "../front/index.js";
import { createHostDrivers, recordRefusal, requireSupport } from "../gate/index.js";
import {
  buildInstanceSpec,
  createDeployId,
  inspectInstance,
  loadLocalRelease,
  type PreparedRelease,
} from "../instance/index.js";
import type { Action } from "../plan/index.js";
import { prepareFromMirror, type ActionContext, type ActionOutcome } from "./action-context.js";
import { pruneReleaseFiles } from "./prune-releases.js";
import { recordDeploy } from "./record-deploy.js";
import { getStrategy } from "./strategies/index.js";
import { createSwapOps } from "./swap-ops.js";
import type { SwapOps, SwapResult } from "./strategies/index.js";

type DeployAction = Extract<Action, { kind: "deploy" }>;

/** Refusals that say this host cannot run the release (target, driver, devices), not that the release is bad. */
const UNSUPPORTED_CODES = new Set([
  "ERR_SKIFF_TARGET_UNSUPPORTED",
  "ERR_SKIFF_DRIVER_UNAVAILABLE",
  "ERR_SKIFF_DEVICES_MISSING",
]);
/** How many instances the new release starts: as many as serve now (replicas), within min..max, at least one. */
function replicasFor(prepared: PreparedRelease, serving: number): number {
  const { min, max } = prepared.manifest.deploy.scale;
  return Math.min(Math.max(serving, min, 1), Math.max(max, 1));
}

/** Checks the release (files, driver, host) before anything running is touched; throws a refusal. */
async function checkRelease(action: DeployAction, ctx: ActionContext): Promise<PreparedRelease> {
  // A restart by hand swaps in what runs, from its files here (unpacking again would replace them under it).
  const local = action.restart ? loadLocalRelease(ctx.data, action.app, action.release) : undefined;
  const prepared = local ?? (await prepareFromMirror(ctx, action.app, action.release));
  // Host capabilities: the driver must run here (and, for solo5, find its devices) before anything stops.
  const driver = await requireSupport(ctx.drivers ?? createHostDrivers(), prepared.manifest.driver);
  if (driver.preflight)
    await driver.preflight(
      buildInstanceSpec({ data: ctx.data, prepared, hostPort: prepared.manifest.deploy.port }),
    );
  return prepared;
}

/** `--fleet`: waits for a swap slot of the app's rollout; none for a restart by hand (the same release again). */
function takeSlot(
  action: DeployAction,
  ctx: ActionContext,
  prepared: PreparedRelease,
): Promise<SwapSlot | undefined> {
  if (ctx.fleet === undefined || action.restart) return Promise.resolve(undefined);
  return ctx.fleet.acquireSlot({
    app: action.app,
    release: action.release,
    rollout: prepared.manifest.deploy.rollout,
    signal: ctx.signal ?? new AbortController().signal,
  });
}

/** One deploy: check and unpack, then the app's swap strategy, then record and report the outcome. */
export async function deployRelease(action: DeployAction, ctx: ActionContext): Promise<ActionOutcome> {
  const deploy = createDeployId();
  const events: EventBus = ctx.events.child({ app: action.app, release: action.release, deploy });
  events.emit({ type: "deploy.started", message: action.reason, data: { from: action.from[0]?.id } });
  const startedAt = new Date().toISOString();
  let prepared: PreparedRelease;
  let front: AppFront;
  const serving: Instance[] = [];
  try {
    prepared = await checkRelease(action, ctx);
    // The public address exists before the swap; it keeps pointing at what serves now.
    for (const instance of action.from)
      if ((await inspectInstance(instance)) === "running") serving.push(instance);
    front = await openAppFront({ data: ctx.data, manifest: prepared.manifest, serving });
  } catch (error) {
    return refuse(action, ctx, { deploy, events, error: serializeError(error) });
  }
  events.emit({
    type: "release.unpacked",
    message: `release ${action.release} checked and unpacked`,
    data: { files: Object.keys(prepared.files) },
  });
  const strategy = getStrategy(prepared.manifest.deploy.strategy);
  const from = action.from[0];
  const previous = from && {
    instances: action.from,
    prepared: loadLocalRelease(ctx.data, action.app, from.release),
  };
  const reason = action.restart ? "restart" : "deploy";
  // In a fleet, the swap waits for a slot of the release's rollout (a halted rollout is refused here).
  let slot: SwapSlot | undefined;
  try {
    slot = await takeSlot(action, ctx, prepared);
  } catch (error) {
    return refuse(action, ctx, { deploy, events, error: serializeError(error) });
  }
  const ops = createSwapOps({
    data: ctx.data,
    events,
    front,
    ...(ctx.drivers ? { drivers: ctx.drivers } : {}),
    swap: {
      data: ctx.data,
      app: action.app,
      deploy,
      strategy: strategy.name,
      release: action.release,
      startedAt,
      reason,
    },
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const result = await strategy.swap(
    { next: prepared, count: replicasFor(prepared, serving.length), ...(previous ? { previous } : {}) },
    ops,
  );
  try {
    return await recordOutcome(action, ctx, {
      result,
      prepared,
      serving,
      front,
      ops,
      events,
      deploy,
      reason,
      strategy: strategy.name,
    });
  } finally {
    // After the confirmation window (or the rollback) and once this host recorded and reported it:
    // the fleet learns the outcome, and the next host goes.
    await slot?.release(result.ok ? { ok: true } : { ok: false, error: serializeError(result.error) });
  }
}

/** The swap's outcome recorded in state and reported: the release serves (or sleeps), or it failed and what ran before still runs. */
async function recordOutcome(
  action: DeployAction,
  ctx: ActionContext,
  swapped: {
    result: SwapResult;
    prepared: PreparedRelease;
    serving: readonly Instance[];
    front: AppFront;
    ops: SwapOps;
    events: EventBus;
    deploy: string;
    reason: "deploy" | "restart";
    strategy: string;
  },
): Promise<ActionOutcome> {
  const { result, prepared, serving, front, ops, events, deploy, reason, strategy } = swapped;
  if (result.ok) {
    // Scaled to zero and nothing served: the release passed its health check, and sleeps until a wake.
    const asleep = prepared.manifest.deploy.scale.min === 0 && serving.length === 0 && !action.restart;
    if (asleep) await putToSleep({ instances: result.instances, prepared, front, ops });
    await recordDeploy(ctx.data, {
      app: action.app,
      release: action.release,
      deploy,
      ok: true,
      instances: asleep ? [] : result.instances,
      reason,
      ...(asleep ? { asleep: true } : {}),
    });
    pruneReleaseFiles(ctx.data, action.app);
    events.emit({
      type: "deploy.succeeded",
      message: asleep
        ? `release ${action.release} passed its health check and sleeps until a connection arrives`
        : `release ${action.release} serves (${strategy})`,
      data: {
        instance: result.instances[0]?.id,
        strategy,
        ...(asleep ? { asleep: true } : {}),
      },
    });
    return { action, ok: true, deploy, instances: asleep ? [] : result.instances };
  }
  const error = serializeError(result.error);
  await recordDeploy(ctx.data, {
    app: action.app,
    release: action.release,
    deploy,
    ok: false,
    error,
    instances: result.running,
  });
  pruneReleaseFiles(ctx.data, action.app);
  const running = result.running[0];
  events.emit({
    type: "deploy.failed",
    message: `release ${action.release} failed: ${error.message}`,
    error,
    data: { strategy, rolledBackTo: running?.release, instance: running?.id },
  });
  return { action, ok: false, deploy, error, instances: result.running };
}

/** The release was refused before anything running was touched: reported, recorded, what runs keeps running. */
async function refuse(
  action: DeployAction,
  ctx: ActionContext,
  refusal: { deploy: string; events: EventBus; error: SerializedError },
): Promise<ActionOutcome> {
  const { deploy, events, error } = refusal;
  const unsupported = UNSUPPORTED_CODES.has(error.code);
  events.emit({
    type: unsupported ? "release.unsupported" : "release.refused",
    message: `release ${action.release} ${unsupported ? "cannot run on this host" : "refused"}: ${error.message}`,
    error,
  });
  await recordRefusal(ctx.data, { app: action.app, release: action.release, commit: ctx.commit, error });
  await recordDeploy(ctx.data, { app: action.app, release: action.release, deploy, ok: false, error });
  return { action, ok: false, deploy, error, instances: action.from };
}

/** A scaled-to-zero app after its deploy: new connections are held, the new set drains and stops. */
async function putToSleep(options: {
  instances: readonly Instance[];
  prepared: PreparedRelease;
  front: AppFront;
  ops: SwapOps;
}): Promise<void> {
  await options.front.route([]);
  for (const instance of options.instances) await options.ops.drain(instance, options.prepared);
  for (const instance of options.instances) await options.ops.stop(instance);
}
