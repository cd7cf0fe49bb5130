import { parseDuration } from "../../config/index.js";
import { getDriver, type Driver, type Instance } from "../../drivers/index.js";
import type { EventBus } from "../../events/index.js";
import { SkiffError, serializeError } from "../../errors/index.js";
import { findFreePort, type AppFront } from "../front/index.js";
import type { HostDrivers } from "../gate/index.js";
import { buildInstanceSpec, checkHealth, loadLocalRelease, type PreparedRelease } from "../instance/index.js";
import {
  asRecord,
  keepRecords,
  stoppedError,
  updateAppState,
  writeInstanceRecord,
  type InstanceReason,
} from "../state/index.js";
import { stopSignalOf } from "../worker/index.js";
import type { SwapOps } from "./strategies/index.js";
import { watchConfirmation } from "./swap-confirm.js";
import { recordSwapNext, recordSwapPhase, wasStopped, type SwapIdentity } from "./swap-phase.js";

const DEFAULT_STOP_TIMEOUT = "10s";

export interface SwapOpsOptions {
  data: string;
  events: EventBus;
  /** The app task's signal: ends the confirmation window (newer release, stop); a stop also ends a health check. */
  signal?: AbortSignal;
  /** This host's drivers (solo5 devices, --drivers); default the built-in ones. */
  drivers?: HostDrivers;
  /** The deploy this swap belongs to: starts are recorded in its swap record, phases persisted. */
  swap?: SwapIdentity;
  /** Why instances started outside a swap are recorded (default deploy). */
  reason?: InstanceReason;
  /** The app's public address; without it route() and drain() do nothing (no public address). */
  front?: AppFront;
}

type ProbeEvent = { attempt: number; ok: boolean; reason: string; durationMs: number };

/** Driver calls, health checks, front door switches, state and events for a swap strategy. */
export function createSwapOps(options: SwapOpsOptions): SwapOps {
  const { data, events, swap, front } = options;
  const reason = swap?.reason ?? options.reason ?? "deploy";
  const driverOf = (name: string): Driver => options.drivers?.driverFor(name) ?? getDriver(name);
  const probeEvent =
    (type: string) =>
    (instance: Instance, probe: ProbeEvent): void => {
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
  const checkSignal = stopSignalOf(options.signal);
  const ops: SwapOps = {
    async start(prepared: PreparedRelease, hostPort: number): Promise<Instance> {
      const driver = driverOf(prepared.manifest.driver);
      const spec = buildInstanceSpec({ data, prepared, hostPort });
      // Its own record first (one small file), as soon as the process exists: an agent killed
      // before state.json names it leaves a record, and the next start (or skiff stop) stops it.
      const record = (started: Instance): void => writeInstanceRecord(data, asRecord(started, reason));
      const instance = await driver.start({
        ...spec,
        onStarted: (started) => {
          try {
            record(started);
          } catch {
            // Written again just below; a failure there stops the instance.
          }
        },
      });
      // Recorded before the health check: an agent that dies now finds this instance, never starts a second.
      try {
        record(instance);
        if (swap !== undefined) await recordSwapNext(swap, instance);
        else
          // A wake or a replica added under load: beside the app's other instances.
          await updateAppState(data, instance.app, (app) => {
            app.instances = [
              ...app.instances.filter((i) => i.id !== instance.id),
              asRecord(instance, reason),
            ];
          });
      } catch (error) {
        await driver.stop(instance, { graceMs: 1000 });
        throw error;
      }
      events.emit({
        type: "instance.started",
        release: instance.release,
        message: `started ${instance.id} on ${instance.address.host}:${instance.address.port}`,
        data: { instance: instance.id, handle: instance.handle, address: instance.address, reason },
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
          onProbe: (probe) => probeEvent("health.probe")(instance, probe),
          ...(checkSignal === undefined ? {} : { signal: checkSignal }),
        });
        events.emit({
          type: "health.ok",
          release: instance.release,
          message: `${instance.id} is healthy`,
          data: { instance: instance.id, ...result },
        });
      } catch (error) {
        // Stopped by hand while the check ran: skiff stop wins, as at the next phase.
        const failure = checkSignal?.aborted === true ? stoppedError(instance.app) : error;
        events.emit({
          type: "health.failed",
          release: instance.release,
          message: `${instance.id} failed its health check`,
          error: serializeError(failure),
          data: { instance: instance.id },
        });
        throw failure;
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
    async phase(phase, sets): Promise<void> {
      if (swap !== undefined) await recordSwapPhase(swap, phase, sets);
      events.emit({
        type: "swap.phase",
        message: phase,
        data: { phase, old: sets.old[0]?.id, next: sets.next[0]?.id },
      });
    },
    async route(instances): Promise<void> {
      // The app's recorded instances are the ones the public address serves, written before the switch.
      let unrecorded: Error | undefined;
      if (swap !== undefined && instances.length > 0) {
        await updateAppState(
          data,
          swap.app,
          (app) => void (app.instances = keepRecords(app, instances, reason)),
        ).catch((error: unknown) => {
          unrecorded = error instanceof Error ? error : new Error(String(error));
        });
      }
      // A swap's phase record names both sets already: on a full disk the switch still happens (a
      // rollback must not leave the address on a new set about to stop), then the write's error.
      if (front !== undefined) await front.route(instances);
      if (unrecorded !== undefined) throw unrecorded;
      if (front === undefined) return;
      const first = instances[0];
      if (first === undefined)
        events.emit({ type: "proxy.held", message: "new connections wait for a backend" });
      else
        events.emit({
          type: "proxy.switched",
          release: first.release,
          message: `public address now serves ${instances.map((i) => i.id).join(", ")}`,
          data: { instance: first.id, address: first.address },
        });
    },
    async drain(instance: Instance, prepared: PreparedRelease): Promise<void> {
      if (front === undefined) return;
      const result = await front.drain(instance, parseDuration(prepared.manifest.deploy.drain_timeout));
      events.emit({
        type: "proxy.drained",
        release: instance.release,
        message: `${instance.id} drained${result.closed > 0 ? `, ${result.closed} connection(s) cut at the timeout` : ""}`,
        data: { instance: instance.id, ...result },
      });
    },
    confirm(instances, prepared) {
      return watchConfirmation({
        instances,
        health: prepared.manifest.deploy.health,
        windowMs: parseDuration(prepared.manifest.deploy.confirm),
        inspect: (instance) => driverOf(instance.driver).inspect(instance),
        onProbe: probeEvent("confirm.probe"),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        isStopped: () => swap !== undefined && wasStopped(swap),
        stoppedError: () => stoppedError(instances[0]?.app ?? swap?.app ?? "the app"),
      });
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
