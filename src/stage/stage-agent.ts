import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { acquireLock, createCoalescer, createHostDrivers, type HostDrivers } from "../agent/index.js";
import { SkiffError, serializeError, type SerializedError } from "../errors/index.js";
import { EventBus, EventLog, type EventSink } from "../events/index.js";
import { createNotifySinks, type NotifyOptions } from "../notify/index.js";
import type { ReleaseSigner } from "../store/index.js";
import { assertTrustPolicy, type TrustPolicy } from "../trust/index.js";
import { runStagePass, type StagePassResult } from "./stage-pass.js";

export interface StageAgentOptions {
  /** The deployment repository the agent follows and pushes verdicts and promotions to. */
  repo: string;
  /** Its own data dir (never a production agent's): mirror.git, releases/, instances/, events.jsonl. */
  data: string;
  pollMs: number;
  /** One pass, then stop. */
  once?: boolean;
  notify?: string[];
  /** Secret, timeout and retries of the --notify sinks (their results go on this agent's events). */
  notifyOptions?: Omit<NotifyOptions, "report">;
  host?: string;
  sinks?: EventSink[];
  signal?: AbortSignal;
  /** `--trust`: verify each staging release like a production agent does, before it boots. */
  trust?: TrustPolicy;
  /** `--drivers` and devices; default every driver skiff knows. Availability is asked once per agent run. */
  drivers?: HostDrivers;
  /** `--key`: signs the current record of each promotion. */
  sign?: ReleaseSigner;
}

export interface StageAgentHandle {
  trigger(reason: string): void;
  /** A pass that starts after this call. */
  runNow(): Promise<StagePassResult>;
  stop(): Promise<void>;
  lastError(): SerializedError | undefined;
  lastResult(): StagePassResult | undefined;
  closed: Promise<void>;
}

/** Starts a staging agent: follows every app's `staging` pointer and judges each new release once. */
export async function startStageAgent(options: StageAgentOptions): Promise<StageAgentHandle> {
  if (options.trust) assertTrustPolicy(options.trust);
  const drivers = options.drivers ?? createHostDrivers();
  mkdirSync(options.data, { recursive: true });
  const lock = await acquireLock(join(options.data, "agent.lock"), {
    onHeld: (pid) =>
      new SkiffError(
        "ERR_SKIFF_AGENT_LOCKED",
        `another agent (pid ${pid}) uses the data dir ${options.data}`,
        {
          hint: "give the staging agent its own --data, apart from the production agent's",
          data: { pid },
        },
      ),
  });
  const events = new EventBus({ host: options.host ?? `${hostname()} (staging)` });
  events.add(new EventLog(join(options.data, "events.jsonl")));
  const notifySinks = createNotifySinks(options.notify ?? [], {
    ...options.notifyOptions,
    report: (event) => events.emit(event),
  });
  for (const sink of [...notifySinks, ...(options.sinks ?? [])]) events.add(sink);
  let lastError: SerializedError | undefined;
  let lastResult: StagePassResult | undefined;
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  const pass = createCoalescer(async () => {
    try {
      const result = await runStagePass({
        repo: options.repo,
        data: options.data,
        events,
        drivers,
        ...(options.host ? { host: options.host } : {}),
        ...(options.trust ? { trust: options.trust } : {}),
        ...(options.sign ? { sign: options.sign } : {}),
      });
      lastError = undefined;
      lastResult = result;
      return result;
    } catch (error) {
      lastError = serializeError(error);
      events.emit({ type: "agent.pass_failed", message: lastError.message, error: lastError });
      throw error;
    }
  });
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      running = false;
      if (timer) clearTimeout(timer);
      await pass.idle();
      lock.release();
      await events.close();
      resolveClosed();
    })();
    return stopping;
  };
  const schedule = (): void => {
    if (running) timer = setTimeout(() => pass.request().then(schedule, schedule), options.pollMs);
  };
  options.signal?.addEventListener("abort", () => void stop(), { once: true });
  const handle: StageAgentHandle = {
    trigger: () => {
      if (running) pass.request().catch(() => undefined); // failures are in lastError and events
    },
    runNow: () => pass.request(),
    stop,
    lastError: () => lastError,
    lastResult: () => lastResult,
    closed,
  };
  if (options.once) {
    try {
      await pass.request();
    } finally {
      await stop();
    }
    return handle;
  }
  events.emit({
    type: "agent.started",
    message: `following staging every ${options.pollMs}ms`,
    data: { pid: process.pid },
  });
  pass.request().then(schedule, schedule);
  return handle;
}
