import { setTimeout as sleep } from "node:timers/promises";
import { parseDuration, type HealthConfig } from "../../config/index.js";
import type { InstanceStatus } from "../../drivers/index.js";
import { SkiffError } from "../../errors/index.js";
import { probeOnce, type ProbeResult } from "./probe.js";

export interface HealthCheckOptions {
  address: { host: string; port: number };
  health: HealthConfig;
  /** Asked between probes: an instance that exited fails at once instead of at the timeout. */
  inspect?: () => Promise<InstanceStatus>;
  /** Each probe's result, in order (attempt counts from 1). */
  onProbe?: (probe: ProbeResult & { attempt: number }) => void;
  signal?: AbortSignal;
}

export interface HealthCheckResult {
  attempts: number;
  elapsedMs: number;
}

/** The longest a single probe may take, so a slow answer still leaves room for retries. */
const PROBE_TIMEOUT_MS = 2000;

/** Probes until the instance answers, it exits, attempts run out or health.timeout passes. */
export async function checkHealth(options: HealthCheckOptions): Promise<HealthCheckResult> {
  const { health, address } = options;
  const started = Date.now();
  const deadline = started + parseDuration(health.timeout);
  const intervalMs = parseDuration(health.interval);
  const target = { host: address.host, port: address.port, path: health.tcp ? undefined : health.http };
  await sleep(parseDuration(health.initial_delay), undefined, { signal: options.signal });
  let attempt = 0;
  let last = "no probe ran";
  while (Date.now() < deadline) {
    await failIfExited(options, attempt, last);
    attempt += 1;
    const timeoutMs = Math.max(50, Math.min(PROBE_TIMEOUT_MS, deadline - Date.now()));
    const probe = await probeOnce({ ...target, timeoutMs });
    options.onProbe?.({ ...probe, attempt });
    if (probe.ok) return { attempts: attempt, elapsedMs: Date.now() - started };
    last = probe.reason;
    if (health.attempts !== undefined && attempt >= health.attempts) break;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())), undefined, {
      signal: options.signal,
    });
  }
  await failIfExited(options, attempt, last);
  const limit =
    health.attempts !== undefined && attempt >= health.attempts ? `${attempt} attempts` : health.timeout;
  throw new SkiffError(
    "ERR_SKIFF_HEALTH_TIMEOUT",
    `health check failed after ${limit} (last probe: ${last})`,
    {
      hint: `check that the unikernel serves ${health.tcp ? "TCP" : `GET ${health.http}`} on its port; see skiff logs <app>`,
      data: { attempts: attempt, lastProbe: last, timeout: health.timeout },
    },
  );
}

async function failIfExited(options: HealthCheckOptions, attempts: number, last: string): Promise<void> {
  if (options.inspect === undefined || (await options.inspect()) !== "exited") return;
  throw new SkiffError("ERR_SKIFF_INSTANCE_EXITED", "the instance exited before it passed its health check", {
    hint: "see why with skiff logs <app> (it crashed on boot or could not bind its port)",
    data: { attempts, lastProbe: last },
  });
}
