import {
  buildInstanceSpec,
  checkHealth,
  classifyFailure,
  createHostDrivers,
  findFreePort,
  prepareRelease,
  requireSupport,
  type HostDrivers,
  type PreparedRelease,
} from "../agent/index.js";
import { parseDuration, type StageConfig } from "../config/index.js";
import type { Driver } from "../drivers/index.js";
import { serializeError, type SerializedError } from "../errors/index.js";
import type { EventBus } from "../events/index.js";
import type { ObjectReader } from "../git/index.js";
import { STAGE_RECORD_VERSION, type StageFailure, type StageRecord } from "../store/index.js";
import { runStage } from "./run-stage.js";

export interface StageReleaseOptions {
  data: string;
  /** The staging agent's mirror of the deployment repository, at `commit`. */
  mirror: string;
  commit: string;
  app: string;
  release: number;
  /** Events for this release (a child bus carrying app and release). */
  events: EventBus;
  host?: string;
  signal?: AbortSignal;
  /** The staging agent's reads of its mirror (one cat-file session per fetched tip). */
  reader?: ObjectReader;
  /** This host's drivers (`--drivers`, solo5 devices, availability); default every driver skiff knows. */
  drivers?: HostDrivers;
}

/** The host failed (a full disk, out of memory …) before the release could be judged: no verdict, tried again. */
export interface HostFaultRelease {
  hostFault: SerializedError;
}

/** This host cannot run the release's driver: no verdict, another staging host may judge it. */
export interface UnsupportedRelease {
  unsupported: SerializedError;
}

const UNSUPPORTED_CODES = new Set([
  "ERR_SKIFF_TARGET_UNSUPPORTED",
  "ERR_SKIFF_DRIVER_UNAVAILABLE",
  "ERR_SKIFF_DEVICES_MISSING",
]);

/**
 * Boots a release as a staging instance on a private loopback port (no proxy, no public address),
 * health-checks it, runs its stage, and stops it again. Every failure becomes a failed verdict.
 */
export async function stageRelease(
  options: StageReleaseOptions,
): Promise<StageRecord | UnsupportedRelease | HostFaultRelease> {
  const started = new Date();
  const { events } = options;
  const fail = (failure: StageFailure): StageRecord => failedRecord(options, started, failure);
  let prepared: PreparedRelease;
  try {
    // The target is chosen as the production agent chooses it: this host's drivers and --targets.
    prepared = await prepareRelease(options);
  } catch (error) {
    if (UNSUPPORTED_CODES.has(serializeError(error).code)) return { unsupported: serializeError(error) };
    if (classifyFailure(serializeError(error)) === "host") return { hostFault: serializeError(error) };
    return fail({
      step: "release",
      name: "release",
      message: `release refused: ${serializeError(error).message}`,
    });
  }
  const stage: StageConfig | undefined = prepared.manifest.stage;
  if (stage === undefined)
    return fail({ step: "release", name: "release", message: "the release has no stage: section" });
  let driver: Driver;
  try {
    driver = await requireSupport(options.drivers ?? createHostDrivers(), prepared.manifest.driver);
  } catch (error) {
    return { unsupported: serializeError(error) };
  }
  const hostPort = await findFreePort();
  if (hostPort === undefined)
    return fail({
      step: "release",
      name: "release",
      message: "no free loopback port for the staging instance",
    });
  const spec = buildInstanceSpec({ data: options.data, prepared, hostPort });
  let instance;
  try {
    instance = await driver.start(spec);
  } catch (error) {
    if (UNSUPPORTED_CODES.has(serializeError(error).code)) return { unsupported: serializeError(error) };
    if (classifyFailure(serializeError(error)) === "host") return { hostFault: serializeError(error) };
    return fail({
      step: "health",
      name: "start",
      message: `the instance did not start: ${serializeError(error).message}`,
    });
  }
  events.emit({
    type: "stage.instance_started",
    message: `started ${instance.id} on ${instance.address.host}:${instance.address.port}`,
    data: { instance: instance.id, address: instance.address },
  });
  try {
    try {
      await checkHealth({
        address: instance.address,
        health: prepared.manifest.deploy.health,
        inspect: () => driver.inspect(instance),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      return fail({
        step: "health",
        name: "health check",
        threshold: "health",
        message: `health check failed: ${serializeError(error).message}`,
      });
    }
    return await runStage({
      app: options.app,
      release: options.release,
      stage,
      address: instance.address,
      cwd: prepared.dir,
      ...(options.host ? { host: options.host } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onStep: (step) =>
        events.emit({
          type: "stage.step",
          message: `running ${step.kind === "test" ? step.command : step.name}`,
          data: { kind: step.kind, name: step.name },
        }),
    });
  } finally {
    await driver.stop(instance, { graceMs: parseDuration(prepared.manifest.deploy.stop_timeout) });
    events.emit({
      type: "stage.instance_stopped",
      message: `stopped ${instance.id}`,
      data: { instance: instance.id },
    });
  }
}

function failedRecord(options: StageReleaseOptions, started: Date, failure: StageFailure): StageRecord {
  return {
    version: STAGE_RECORD_VERSION,
    app: options.app,
    release: options.release,
    verdict: "failed",
    summary: failure.message,
    started: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    ...(options.host ? { host: options.host } : {}),
    tests: [],
    loads: [],
    failures: [failure],
  };
}
