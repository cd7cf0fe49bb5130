import { parseDuration } from "../config/index.js";
import { getDriver, type Driver, type Instance } from "../drivers/index.js";
import type { EventBus } from "../events/index.js";
import { SkiffError, serializeError } from "../errors/index.js";
import type { ProxyClient } from "../proxy/index.js";
import { checkHealth } from "./health.js";
import type { HostDrivers } from "./host-capabilities.js";
import { buildInstanceSpec } from "./instance-spec.js";
import { findFreePort } from "./public-address.js";
import { loadLocalRelease, type PreparedRelease } from "./release-files.js";
import { updateAppState } from "./state.js";
import type { SwapOps } from "./strategies/index.js";
import { confirmUnlessSuperseded } from "./confirm-superseded.js";
import type { PointerNews } from "./swap-pointer-watch.js";
import {
  recordSwapNext,
  recordSwapPhase,
  stoppedError,
  wasStopped,
  type SwapIdentity,
} from "./swap-phase.js";

const DEFAULT_STOP_TIMEOUT = "10s";

export interface SwapOpsOptions {
  data: string;
  events: EventBus;
  signal?: AbortSignal;
  /** This host's drivers (solo5 devices, --drivers); default the built-in ones. */
  drivers?: HostDrivers;
  /** The deploy this swap belongs to: starts are recorded in its swap record, phases persisted. */
  swap?: SwapIdentity;
  /** The app's front proxy; without it route() and drain() do nothing (no public address). */
  proxy?: ProxyClient;
  /** What the pointer watch fetched for this app: a trigger's refresh ends the window at once. */
  pointerNews?: PointerNews;
}

/** Driver calls, health checks, proxy switches, state and events for a swap strategy. */
export function createSwapOps(options: SwapOpsOptions): SwapOps {
  const { data, events, swap, proxy } = options;
  const driverOf = (name: string): Driver => options.drivers?.driverFor(name) ?? getDriver(name);
  const probeEvent =
    (instance: Instance, type: string) =>
    (probe: { attempt: number; ok: boolean; reason: string; durationMs: number }): void => {
      events.emit({
        type,
        release: instance.release,
        message: `probe ${probe.attempt}: ${probe.reason}`,
        data: {
          instance: instance.id,
          attempt: probe.attempt,
          ok: probe.ok,
          reason: probe.reason,
          durationMs: Math.round(probe.durationMs),
        },
      });
    };
  const ops: SwapOps = {
    async start(prepared: PreparedRelease, hostPort: number): Promise<Instance> {
      const driver = driverOf(prepared.manifest.driver);
      const spec = buildInstanceSpec({ data, prepared, hostPort });
      const instance = await driver.start(spec);
      // Recorded before the health check: an agent that dies now finds this instance, never starts a second.
      try {
        if (swap !== undefined) await recordSwapNext(swap, instance);
        else await updateAppState(data, instance.app, (app) => void (app.instance = instance));
      } catch (error) {
        await driver.stop(instance, { graceMs: 1000 });
        throw error;
      }
      events.emit({
        type: "instance.started",
        release: instance.release,
        message: `started ${instance.id} on ${instance.address.host}:${instance.address.port}`,
        data: { instance: instance.id, handle: instance.handle, address: instance.address },
      });
      return instance;
    },
    async check(instance: Instance, prepared: PreparedRelease): Promise<void> {
      const driver = driverOf(instance.driver);
      try {
        const result = await checkHealth({
          address: instance.address,
          health: prepared.manifest.deploy.health,
          inspect: () => driver.inspect(instance),
          onProbe: probeEvent(instance, "health.probe"),
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
      await driverOf(instance.driver).stop(instance, { graceMs: parseDuration(timeout) });
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
    async freePort(): Promise<number> {
      const port = await findFreePort();
      if (port === undefined)
        throw new SkiffError("ERR_SKIFF_PORT_IN_USE", "no free loopback port for a new instance", {
          hint: "check what holds the host's ports (ss -ltnp)",
        });
      return port;
    },
    async phase(phase, instances): Promise<void> {
      if (swap !== undefined) await recordSwapPhase(swap, phase, instances);
      events.emit({
        type: "swap.phase",
        message: phase,
        data: { phase, old: instances.old?.id, next: instances.next?.id },
      });
    },
    async route(instance: Instance | undefined): Promise<void> {
      // The app's recorded instance is the one the public address serves, written before the switch.
      if (swap !== undefined && instance !== undefined) {
        await updateAppState(data, instance.app, (app) => void (app.instance = instance));
      }
      if (proxy === undefined) return;
      await proxy.setBackend(instance?.address);
      if (instance === undefined)
        events.emit({ type: "proxy.held", message: "new connections wait for a backend" });
      else
        events.emit({
          type: "proxy.switched",
          release: instance.release,
          message: `public address now serves ${instance.id}`,
          data: { instance: instance.id, address: instance.address },
        });
    },
    async drain(instance: Instance, prepared: PreparedRelease): Promise<void> {
      if (proxy === undefined) return;
      const result = await proxy.drain(
        instance.address,
        parseDuration(prepared.manifest.deploy.drain_timeout),
      );
      events.emit({
        type: "proxy.drained",
        release: instance.release,
        message: `${instance.id} drained${result.closed > 0 ? `, ${result.closed} connection(s) cut at the timeout` : ""}`,
        data: { instance: instance.id, ...result },
      });
    },
    confirm(instance: Instance, prepared: PreparedRelease) {
      const driver = driverOf(instance.driver);
      return confirmUnlessSuperseded(
        {
          instance,
          health: prepared.manifest.deploy.health,
          windowMs: parseDuration(prepared.manifest.deploy.confirm),
          inspect: () => driver.inspect(instance),
          onProbe: probeEvent(instance, "confirm.probe"),
          isStopped: () => swap !== undefined && wasStopped(swap),
          stoppedError: () => stoppedError(instance.app),
        },
        options.pointerNews,
      );
    },
    async isRunning(instance: Instance): Promise<boolean> {
      return (
        (await driverOf(instance.driver)
          .inspect(instance)
          .catch(() => "unknown")) === "running"
      );
    },
  };
  return ops;
}
