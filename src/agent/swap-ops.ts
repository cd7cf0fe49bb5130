import { parseDuration } from "../config/index.js";
import { getDriver, type Instance } from "../drivers/index.js";
import type { EventBus } from "../events/index.js";
import { serializeError } from "../errors/index.js";
import { checkHealth } from "./health.js";
import { buildInstanceSpec } from "./instance-spec.js";
import { loadLocalRelease, type PreparedRelease } from "./release-files.js";
import { updateAppState } from "./state.js";
import type { SwapOps } from "./strategies/index.js";

const DEFAULT_STOP_TIMEOUT = "10s";

/** Driver calls, health checks and events for a swap strategy; every start is recorded at once. */
export function createSwapOps(options: { data: string; events: EventBus; signal?: AbortSignal }): SwapOps {
  const { data, events } = options;
  return {
    async start(prepared: PreparedRelease, hostPort: number): Promise<Instance> {
      const driver = getDriver(prepared.manifest.driver);
      const spec = buildInstanceSpec({ data, prepared, hostPort });
      const instance = await driver.start(spec);
      // Recorded before the health check: an agent that dies now finds this instance, never starts a second.
      await updateAppState(data, instance.app, (app) => {
        app.instance = instance;
      });
      events.emit({
        type: "instance.started",
        release: instance.release,
        message: `started ${instance.id} on ${instance.address.host}:${instance.address.port}`,
        data: { instance: instance.id, handle: instance.handle, address: instance.address },
      });
      return instance;
    },
    async check(instance: Instance, prepared: PreparedRelease): Promise<void> {
      const driver = getDriver(instance.driver);
      try {
        const result = await checkHealth({
          address: instance.address,
          health: prepared.manifest.deploy.health,
          inspect: () => driver.inspect(instance),
          onProbe: (probe) =>
            events.emit({
              type: "health.probe",
              release: instance.release,
              message: `probe ${probe.attempt}: ${probe.reason}`,
              data: {
                instance: instance.id,
                attempt: probe.attempt,
                ok: probe.ok,
                reason: probe.reason,
                durationMs: Math.round(probe.durationMs),
              },
            }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
        events.emit({
          type: "health.ok",
          release: instance.release,
          message: `${instance.id} is healthy`,
          data: { instance: instance.id, ...result },
        });
      } catch (error) {
        events.emit({
          type: "health.failed",
          release: instance.release,
          message: `${instance.id} failed its health check`,
          error: serializeError(error),
          data: { instance: instance.id },
        });
        throw error;
      }
    },
    async stop(instance: Instance): Promise<void> {
      const timeout =
        loadLocalRelease(data, instance.app, instance.release)?.manifest.deploy.stop_timeout ??
        DEFAULT_STOP_TIMEOUT;
      await getDriver(instance.driver).stop(instance, { graceMs: parseDuration(timeout) });
      events.emit({
        type: "instance.stopped",
        release: instance.release,
        message: `stopped ${instance.id}`,
        data: { instance: instance.id },
      });
    },
    step(type: string, message: string, data?: Record<string, unknown>): void {
      events.emit({ type, message, ...(data === undefined ? {} : { data }) });
    },
  };
}
