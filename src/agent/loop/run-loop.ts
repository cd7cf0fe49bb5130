import type { FleetGate } from "../../fleet/index.js";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { SkiffError, isSkiffError, serializeError, type SerializedError } from "../../errors/index.js";
import type { EventBus, EventSink } from "../../events/index.js";
import { createLogger, type Logger } from "../../log/index.js";
import { assertTrustPolicy, type PrivateKey, type TrustPolicy } from "../../trust/index.js";
import { applyTrustMode, createHostDrivers, type HostDrivers } from "../gate/index.js";
import { rebuildState, stopStrayInstances, watchStateLoss } from "../rebuild/index.js";
import { BootSecrets, registerBootSecrets, unregisterBootSecrets } from "../secrets/index.js";
import { acquireLock, type LockFile } from "../state/index.js";
import { createWorkers, type WorkerState, type Workers } from "../worker/index.js";
import { createCoalescer } from "./coalesce.js";
import { createLoopEvents } from "./loop-events.js";
import { createMirrorFetcher, type MirrorFetcher } from "./mirror-fetcher.js";

/** Which pointer of each app the agent follows: production follows current, a staging agent staging. */
export type FollowPointer = "current" | "staging";

/** What every agent (production or staging) is started with; each flag means the same for both. */
export interface LoopOptions {
  /** The deployment repository: a local path or a git URL. */
  repo: string;
  /** The data dir: state.json, events.jsonl, mirror.git, releases/, instances/. */
  data: string;
  /** Poll interval in ms (--poll). */
  pollMs: number;
  /** One pass, then stop once every app's worker has finished (instances keep running). */
  once?: boolean;
  /** Plan only: fetch, gate and plan, start nothing. Implies once. */
  dryRun?: boolean;
  /** `--notify` targets (see src/notify/targets.ts) and how long one may take. */
  notify?: string[];
  notifyTimeoutMs?: number;
  /** How long a failed notification is retried (default 5 minutes). */
  notifyRetryMs?: number;
  /** Signs webhook notifications (`--notify-secret-file`, $SKIFF_NOTIFY_SECRET); never logged. */
  notifySecret?: string;
  /** Aborting stops the loop like stop(). */
  signal?: AbortSignal;
  /** Name of this host in events. */
  host?: string;
  /** Extra event sinks (the server's live feed). */
  sinks?: EventSink[];
  logger?: Logger;
  /** `--trust` keys and `--threshold`: only releases signed by enough of them are started (docs/trust.md). */
  trust?: TrustPolicy;
  /** `--allow-unsigned`: start without --trust on a data dir that required it before (a deliberate downgrade). */
  allowUnsigned?: boolean;
  /** `--host-key`: this host's x25519 key, which opens sealed values of deploy.env just before boot. */
  hostKey?: PrivateKey;
  /** This host's drivers: `--drivers`, solo5 devices (createHostDrivers); default every driver, no devices. */
  drivers?: HostDrivers;
  /** A new mirror of a remote repository is partial: the agent fetches the images of what it deploys. */
  partialMirror?: boolean;
  /** `--fleet`: the fleet's gate (swap slots, halted rollouts, this host's published status). */
  fleet?: FleetGate;
  /** `--front HOST:PORT`: the host's shared HTTP listener, routed by Host header to each app's deploy.hostname. */
  front?: string;
  /** `--front-index`: the 404 page of an unknown host lists the known apps' hostnames. */
  frontIndex?: boolean;
}

/** What a pass works with: the loop's resources, shared by every pass of one agent run. */
export interface PassContext<O> {
  repo: string;
  data: string;
  follow: FollowPointer;
  dryRun: boolean;
  events: EventBus;
  secrets: BootSecrets;
  drivers: HostDrivers;
  fleet?: FleetGate;
  fetcher: MirrorFetcher;
  /** One worker per app: the pass hands each app's work to its worker and does not wait for it. */
  workers: Workers<O | undefined>;
  /** True for the first pass of this agent run. */
  first: boolean;
  /** Aborted when the agent stops: timers the pass set (a retry's backoff) end with it. */
  stopping: AbortSignal;
}

/** What differs between a production and a staging agent: the pass. */
export interface LoopPass<R, O> {
  follow: FollowPointer;
  /** Words for the messages of this kind of agent. */
  label: { started: string; lockHint: string; defaultHost: () => string };
  /** Once, after the data dir is locked and before the first pass (not for a dry run). */
  prepare?(ctx: PassContext<O>): Promise<void>;
  /** Fetches, gates and plans, then hands each app's work to ctx.workers; never waits for a worker. */
  run(ctx: PassContext<O>): Promise<R>;
  /** --once: the pass's result once every worker finished (what each did). */
  settle(result: R, ctx: PassContext<O>): R;
}

export interface LoopStatus<R> {
  running: boolean;
  passes: number;
  inFlight: boolean;
  lastPass?: R;
  lastError?: SerializedError;
  lastTrigger?: string;
  /** What each app's worker does now. */
  workers: WorkerState[];
}

/** The loop's handle: what the server, the CLI and tests drive an agent with. */
export interface LoopHandle<R, O> {
  /**
   * Asks for a pass soon; triggers coalesce (one pass in flight, at most one queued). `current`: a
   * signed trigger's word of what is current now: an agent following current ends the app's
   * confirmation window or backoff on it at once; only the fetched repository decides what deploys.
   */
  trigger(reason: string, current?: { app: string; release: number }): void;
  /**
   * A pass that starts after this call; resolves with its plan once the work is handed to the
   * apps' workers (settled(app) waits for an app's outcome), rejects when the pass failed.
   * `stored`: the release the caller just made current (the embedded server): a window ends now.
   */
  reconcileNow(stored?: { app: string; release: number }): Promise<R>;
  /** Resolves once the app's worker has nothing in flight or waiting, with the last outcome of its tasks. */
  settled(app: string): Promise<O | undefined>;
  /** Stops the loop after the pass in flight and the workers' tasks; releases the data dir. */
  stop(): Promise<void>;
  status(): LoopStatus<R>;
  /** Resolves once the agent has stopped (stop(), the signal, or the end of --once). */
  closed: Promise<void>;
}

export interface RunningLoop<R, O> {
  handle: LoopHandle<R, O>;
  context: PassContext<O>;
}

function lockDataDir(data: string, hint: string): Promise<LockFile> {
  return acquireLock(join(data, "agent.lock"), {
    onHeld: (pid) =>
      new SkiffError("ERR_SKIFF_AGENT_LOCKED", `another agent (pid ${pid}) uses the data dir ${data}`, {
        hint,
        data: { pid },
      }),
  });
}

/**
 * Starts an agent's loop: locks the data dir, checks the trust mode, then runs `pass` on every
 * poll and trigger. The same loop runs production and staging; only the pass differs.
 */
export async function startLoop<R, O>(
  options: LoopOptions,
  pass: LoopPass<R, O>,
): Promise<RunningLoop<R, O>> {
  const logger = options.logger ?? createLogger("skiff-agent");
  const dryRun = options.dryRun === true;
  const once = options.once === true || dryRun;
  if (options.trust) assertTrustPolicy(options.trust);
  mkdirSync(options.data, { recursive: true });
  const lock = dryRun ? undefined : await lockDataDir(options.data, pass.label.lockHint);
  const secrets = new BootSecrets(options.hostKey);
  const events = createLoopEvents({
    ...options,
    host: options.host ?? pass.label.defaultHost(),
    logger,
    secrets,
  });
  const workers = createWorkers<O | undefined>({
    // Tasks report their own failures; one that throws is a refusal for its caller, or a bug.
    onFailure: (app, error) => {
      const serialized = serializeError(error);
      if (isSkiffError(error))
        events.emit({ type: "agent.task_failed", app, message: serialized.message, error: serialized });
      else
        events.emit({
          type: "agent.task_failed",
          app,
          message: `a bug in skiff: ${serialized.message}`,
          error: serialized,
          data: { stack: error instanceof Error ? error.stack : String(error) },
        });
    },
  });
  const fetcher = createMirrorFetcher({
    repo: options.repo,
    mirror: join(options.data, "mirror.git"),
    ...(options.trust ? { trust: options.trust } : {}),
    ...(options.partialMirror ? { partial: true } : {}),
  });
  const ending = new AbortController();
  const context: PassContext<O> = {
    repo: options.repo,
    data: options.data,
    follow: pass.follow,
    dryRun,
    events,
    secrets,
    drivers: options.drivers ?? createHostDrivers(),
    ...(options.fleet ? { fleet: options.fleet } : {}),
    fetcher,
    workers,
    first: true,
    stopping: ending.signal,
  };
  try {
    // A corrupt or lost state.json is rebuilt before anything reads it (trust mode, the first pass).
    if (!dryRun) await rebuildState({ data: options.data, events });
    // An instance started by an agent killed before it recorded it runs in no record: stopped.
    if (!dryRun) await stopStrayInstances({ data: options.data, events });
    const trustMode = await applyTrustMode(options.data, options);
    if (trustMode === "downgraded")
      events.emit({
        type: "agent.trust_downgraded",
        message: "started with --allow-unsigned: releases are no longer checked for signatures",
      });
    if (!dryRun) await pass.prepare?.(context);
  } catch (error) {
    fetcher.close();
    await events.close();
    lock?.release();
    throw error;
  }
  registerBootSecrets(options.data, secrets);
  // state.json deleted while the agent runs: rebuilt from what runs at the next write or pass.
  const lostState = dryRun ? undefined : watchStateLoss(options.data, events);
  const status: LoopStatus<R> = { running: true, passes: 0, inFlight: false, workers: [] };
  const passes = createCoalescer(async (): Promise<R> => {
    status.inFlight = true;
    try {
      await lostState?.check();
      const result = await pass.run(context);
      status.lastPass = result;
      delete status.lastError;
      // git's maintenance of the mirror waits until no pass runs.
      if (!once) void passes.idle().then(() => (status.running ? fetcher.tidy() : undefined));
      return result;
    } catch (error) {
      status.lastError = serializeError(error);
      events.emit({ type: "agent.pass_failed", message: status.lastError.message, error: status.lastError });
      throw error;
    } finally {
      context.first = false;
      status.passes += 1;
      status.inFlight = false;
    }
  });

  let timer: NodeJS.Timeout | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let stopping: Promise<void> | undefined;
  const runPass = (reason: string): Promise<R> => {
    status.lastTrigger = reason;
    return passes.request();
  };
  // A newer release named by the writer of the repository ends the app's window or backoff now.
  const tell = (current: { app: string; release: number } | undefined): void => {
    if (current !== undefined && pass.follow === "current") workers.supersede(current.app, current.release);
  };
  // The next poll is one interval after the last pass (a pass asked for meanwhile ran too).
  const schedule = (): void => {
    if (!status.running) return;
    timer = setTimeout(() => {
      void runPass("poll")
        .catch(() => undefined)
        .then(() => passes.idle())
        .then(schedule);
    }, options.pollMs);
  };
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      status.running = false;
      ending.abort();
      if (timer) clearTimeout(timer);
      // No abort: a deploy in flight finishes (or rolls back) before the agent stops.
      await passes.idle();
      await workers.idle();
      await fetcher.tidy();
      fetcher.close();
      lostState?.unwatch();
      lock?.release();
      unregisterBootSecrets(options.data, secrets);
      await events.close();
      resolveClosed();
    })();
    return stopping;
  };
  options.signal?.addEventListener("abort", () => void stop(), { once: true });

  const handle: LoopHandle<R, O> = {
    trigger(reason, current): void {
      if (!status.running) return;
      tell(current);
      runPass(reason).catch(() => undefined); // failures are in status and events
    },
    reconcileNow: (stored) => {
      if (!status.running)
        return Promise.reject(new SkiffError("ERR_SKIFF_NOT_RUNNING", "the agent has stopped"));
      tell(stored);
      return runPass("request");
    },
    settled: (app) => workers.settled(app),
    stop,
    status: () => secrets.redact({ ...status, workers: workers.states() }),
    closed,
  };

  if (once) {
    try {
      const result = await runPass(dryRun ? "dry-run" : "once");
      await workers.idle();
      status.lastPass = pass.settle(result, context);
    } finally {
      await stop();
    }
    return { handle, context };
  }
  events.emit({
    type: "agent.started",
    message: `${pass.label.started} every ${options.pollMs}ms`,
    data: { pid: process.pid },
  });
  void runPass("start")
    .catch(() => undefined)
    .then(() => passes.idle())
    .then(schedule);
  return { handle, context };
}
