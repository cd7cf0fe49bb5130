import { serializeError } from "../errors/index.js";
import type { EventBus } from "../events/index.js";
import type { ApplyContext, ActionOutcome } from "./apply-context.js";
import { createDeployId } from "./deploy-id.js";
import { createHostDrivers, requireSupport } from "./host-capabilities.js";
import { skiffLayout } from "./layouts/index.js";
import { buildInstanceSpec } from "./instance-spec.js";
import type { Action } from "./plan.js";
import { recordDeploy } from "./record.js";
import { recordRefusal } from "./trust-state.js";
import { loadLocalRelease, type PreparedRelease } from "./release-files.js";
import { getStrategy } from "./strategies/index.js";
import { createSwapOps } from "./swap-ops.js";
import type { ProxyClient } from "../proxy/index.js";
import { ensureAppProxy } from "./public-address.js";
import { inspectInstance } from "./read-actual.js";

type DeployAction = Extract<Action, { kind: "deploy" }>;

/** Refusals that say this host cannot run the release (target, driver, devices), not that the release is bad. */
const UNSUPPORTED_CODES = new Set([
  "ERR_SKIFF_TARGET_UNSUPPORTED",
  "ERR_SKIFF_DRIVER_UNAVAILABLE",
  "ERR_SKIFF_DEVICES_MISSING",
]);

/** Checks the release (files, driver, host) before anything running is touched; throws a refusal. */
async function checkRelease(action: DeployAction, ctx: ApplyContext): Promise<PreparedRelease> {
  const prepared = await (ctx.layout ?? skiffLayout).prepare({
    data: ctx.data,
    mirror: ctx.mirror,
    commit: ctx.commit,
    app: action.app,
    release: action.release,
    ...(ctx.reader ? { reader: ctx.reader } : {}),
    ...(ctx.drivers ? { drivers: ctx.drivers } : {}),
  });
  // Host capabilities: the driver must run here (and, for solo5, find its devices) before anything stops.
  const driver = await requireSupport(ctx.drivers ?? createHostDrivers(), prepared.manifest.driver);
  if (driver.preflight)
    await driver.preflight(
      buildInstanceSpec({ data: ctx.data, prepared, hostPort: prepared.manifest.deploy.port }),
    );
  return prepared;
}

/** One deploy: check and unpack, then the app's swap strategy, then record and report the outcome. */
export async function deployRelease(action: DeployAction, ctx: ApplyContext): Promise<ActionOutcome> {
  const deploy = createDeployId();
  const events: EventBus = ctx.events.child({ app: action.app, release: action.release, deploy });
  events.emit({ type: "deploy.started", message: action.reason, data: { from: action.from?.id } });
  const startedAt = new Date().toISOString();
  let prepared: PreparedRelease;
  let proxy: ProxyClient;
  try {
    prepared = await checkRelease(action, ctx);
    // The public address exists before the swap; it keeps pointing at what serves now.
    const serving =
      action.from !== undefined && (await inspectInstance(action.from)) === "running"
        ? action.from
        : undefined;
    proxy = await ensureAppProxy({
      data: ctx.data,
      manifest: prepared.manifest,
      ...(serving ? { backend: serving } : {}),
    });
  } catch (error) {
    const serialized = serializeError(error);
    const unsupported = UNSUPPORTED_CODES.has(serialized.code);
    events.emit({
      type: unsupported ? "release.unsupported" : "release.refused",
      message: `release ${action.release} ${unsupported ? "cannot run on this host" : "refused"}: ${serialized.message}`,
      error: serialized,
    });
    await recordRefusal(ctx.data, {
      app: action.app,
      release: action.release,
      commit: ctx.commit,
      error: serialized,
    });
    await recordDeploy(ctx.data, {
      app: action.app,
      release: action.release,
      deploy,
      ok: false,
      error: serialized,
    });
    return {
      action,
      ok: false,
      deploy,
      error: serialized,
      ...(action.from ? { instance: action.from } : {}),
    };
  }
  events.emit({
    type: "release.unpacked",
    message: `release ${action.release} checked and unpacked`,
    data: { files: Object.keys(prepared.files) },
  });
  const strategy = getStrategy(prepared.manifest.deploy.strategy);
  const previous = action.from && {
    instance: action.from,
    prepared: loadLocalRelease(ctx.data, action.app, action.from.release),
  };
  const result = await strategy.swap(
    { next: prepared, ...(previous ? { previous } : {}) },
    createSwapOps({
      data: ctx.data,
      events,
      proxy,
      ...(ctx.drivers ? { drivers: ctx.drivers } : {}),
      swap: {
        data: ctx.data,
        app: action.app,
        deploy,
        strategy: strategy.name,
        release: action.release,
        startedAt,
      },
      ...(ctx.pointerNews ? { pointerNews: ctx.pointerNews(action.app) } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    }),
  );
  if (result.ok) {
    await recordDeploy(ctx.data, {
      app: action.app,
      release: action.release,
      deploy,
      ok: true,
      instance: result.instance,
    });
    events.emit({
      type: "deploy.succeeded",
      message: `release ${action.release} serves (${strategy.name})`,
      data: { instance: result.instance.id, strategy: strategy.name },
    });
    return { action, ok: true, deploy, instance: result.instance };
  }
  const error = serializeError(result.error);
  await recordDeploy(ctx.data, {
    app: action.app,
    release: action.release,
    deploy,
    ok: false,
    error,
    instance: result.running ?? null,
  });
  events.emit({
    type: "deploy.failed",
    message: `release ${action.release} failed: ${error.message}`,
    error,
    data: { strategy: strategy.name, rolledBackTo: result.running?.release, instance: result.running?.id },
  });
  return { action, ok: false, deploy, error, ...(result.running ? { instance: result.running } : {}) };
}
