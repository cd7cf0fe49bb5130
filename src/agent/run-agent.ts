import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { SkiffError, serializeError, type SerializedError } from "../errors/index.js";
import { EventBus, EventLog, type EventSink } from "../events/index.js";
import { createLogger, type Logger } from "../log/index.js";
import { createNotifySinks } from "../notify/index.js";
import { createCoalescer } from "./coalesce.js";
import { createLoggerSink } from "./event-logger-sink.js";
import { createHostDrivers, type HostDrivers } from "./host-capabilities.js";
import { skiffLayout, type ReleaseLayout } from "./layouts/index.js";
import { acquireLock, type LockFile } from "./lock.js";
import { readActual } from "./read-actual.js";
import { mirrorPath, reconcileOnce, type FollowPointer, type PassResult } from "./reconcile.js";
import { createPointerWatch } from "./swap-pointer-watch.js";
import { assertTrustPolicy, type PrivateKey, type TrustPolicy } from "../trust/index.js";
import { BootSecrets, createRedactingSink, registerBootSecrets, unregisterBootSecrets } from "./secrets.js";
import { applyTrustMode } from "./trust-state.js";

export interface AgentOptions {
  /** The deployment repository: a local path or a git URL. */
  repo: string;
  /** The data dir: state.json, events.jsonl, mirror.git, releases/, instances/. */
  data: string;
  /** Poll interval in ms (skiff agent --poll, default 30s). */
  pollMs: number;
  /** One reconcile pass, then stop (instances keep running). */
  once?: boolean;
  /** `--notify` targets (see src/notify/targets.ts). */
  notify?: string[];
  notifyTimeoutMs?: number;
  /** How long a failed notification is retried (default 5 minutes). */
  notifyRetryMs?: number;
  /** Signs webhook notifications (`--notify-secret-file`, $SKIFF_NOTIFY_SECRET); never logged. */
  notifySecret?: string;
  /** Plan only: fetch, plan and report, change nothing. Implies once. */
  dryRun?: boolean;
  /** Aborting stops the loop like stop(). */
  signal?: AbortSignal;
  /** Name of this host in events (default: the machine's host name). */
  host?: string;
  /** Which pointer to deploy (default current; a staging host follows staging). */
  follow?: FollowPointer;
  /** Extra event sinks (the server's live feed). */
  sinks?: EventSink[];
  logger?: Logger;
  /** `--trust` keys and `--threshold`: only releases signed by enough of them are deployed (docs/trust.md). */
  trust?: TrustPolicy;
  /** `--allow-unsigned`: start without --trust on a data dir that required it before (a deliberate downgrade). */
  allowUnsigned?: boolean;
  /** `--host-key`: this host's x25519 key, which opens sealed values of deploy.env just before boot. */
  hostKey?: PrivateKey;
  /** This host's drivers: `--drivers`, solo5 devices (createHostDrivers); default every driver, no devices. */
  drivers?: HostDrivers;
  /** How the deployment repository is read: skiff's layout (default) or `--layout mirage-2015`. */
  layout?: ReleaseLayout;
}

export interface AgentStatus {
  running: boolean;
  passes: number;
  inFlight: boolean;
  lastPass?: PassResult;
  lastError?: SerializedError;
  lastTrigger?: string;
}

/**
 * A running agent. The server embeds it: trigger() after each store or webhook, status() for the API.
 * Instances keep running after stop(); the next agent on this data dir adopts them.
 */
export interface AgentHandle {
  /**
   * Asks for a fetch + reconcile soon; triggers coalesce (one pass in flight, at most one queued).
   * `current`: a signed trigger's word of what is current now (an agent following current ends a
   * confirmation window on it while the fetch runs; only the fetched repository decides what deploys).
   */
  trigger(reason: string, current?: { app: string; release: number }): void;
  /**
   * A pass that starts after this call; resolves with its result, rejects when it failed. `stored`:
   * the release the caller just made current (the embedded server), so a confirmation window of
   * the pass in flight ends now; the pass itself still fetches and checks everything.
   */
  reconcileNow(stored?: { app: string; release: number }): Promise<PassResult>;
  /** Stops the loop after the pass in flight; releases the data dir. */
  stop(): Promise<void>;
  status(): AgentStatus;
  /** Resolves once the agent has stopped (stop(), the signal, or the end of --once). */
  closed: Promise<void>;
}

function createEvents(options: AgentOptions, logger: Logger, secrets: BootSecrets): EventBus {
  const events = new EventBus({ host: options.host ?? hostname() });
  const sinks: EventSink[] = [
    new EventLog(join(options.data, "events.jsonl")),
    createLoggerSink(logger),
    ...createNotifySinks(options.notify ?? [], {
      logger,
      ...(options.notifyTimeoutMs ? { timeoutMs: options.notifyTimeoutMs } : {}),
      ...(options.notifyRetryMs === undefined ? {} : { retry: { retryForMs: options.notifyRetryMs } }),
      ...(options.notifySecret === undefined ? {} : { secret: options.notifySecret }),
      // notify.delivered / failed / dropped: on this bus, for events.jsonl, logs, the API and metrics.
      report: (event) => events.emit(event),
    }),
    ...(options.sinks ?? []),
  ];
  // Every sink sees events with opened secrets replaced by [hidden].
  for (const sink of sinks) events.add(createRedactingSink(sink, secrets));
  return events;
}

function lockDataDir(data: string): Promise<LockFile> {
  return acquireLock(join(data, "agent.lock"), {
    onHeld: (pid) =>
      new SkiffError("ERR_SKIFF_AGENT_LOCKED", `another agent (pid ${pid}) uses the data dir ${data}`, {
        hint: "run one agent per data dir: stop the other one, or pass a different --data",
        data: { pid },
      }),
  });
}

/** Instances recorded as running and still alive are adopted as they are; dead ones restart in the first pass. */
async function reportAdoptions(data: string, events: EventBus): Promise<void> {
  for (const app of await readActual(data)) {
    if (app.instance === undefined) continue;
    const running = app.status === "running";
    events.emit({
      type: running ? "instance.adopted" : "instance.lost",
      app: app.app,
      release: app.instance.release,
      message: running ? `adopted ${app.instance.id}` : `${app.instance.id} is no longer running`,
      data: { instance: app.instance.id, handle: app.instance.handle },
    });
  }
}

/** Starts the agent: locks the data dir, adopts what runs, then reconciles on every poll and trigger. */
export async function startAgent(options: AgentOptions): Promise<AgentHandle> {
  const logger = options.logger ?? createLogger("skiff-agent");
  const once = options.once === true || options.dryRun === true;
  if (options.trust) assertTrustPolicy(options.trust);
  mkdirSync(options.data, { recursive: true });
  const lock = options.dryRun ? undefined : await lockDataDir(options.data);
  const secrets = new BootSecrets(options.hostKey);
  let events: EventBus;
  try {
    const trustMode = await applyTrustMode(options.data, options);
    events = createEvents(options, logger, secrets);
    if (trustMode === "downgraded")
      events.emit({
        type: "agent.trust_downgraded",
        message: "started with --allow-unsigned: releases are no longer checked for signatures",
      });
    if (!options.dryRun) await reportAdoptions(options.data, events);
  } catch (error) {
    lock?.release();
    throw error;
  }
  registerBootSecrets(options.data, secrets);
  const status: AgentStatus = { running: true, passes: 0, inFlight: false };
  // One set per agent run, so each driver's availability is asked once.
  const drivers = options.drivers ?? createHostDrivers();
  const follow = options.follow ?? "current";
  const { branch } = options.layout ?? skiffLayout;
  const pointerWatch = createPointerWatch({
    repo: options.repo,
    mirror: mirrorPath(options.data),
    follow,
    // --once has no polls: its window looks once a second.
    checkEveryMs: once ? 1000 : Math.max(1000, options.pollMs),
    ...(options.trust ? { trust: options.trust } : {}),
    // A host fetches what it runs, through the reader skiff's layout reads with.
    partialMirror: (options.layout ?? skiffLayout).name === "skiff",
  });
  const pass = createCoalescer(async (): Promise<PassResult> => {
    status.inFlight = true;
    try {
      const result = await reconcileOnce({
        repo: options.repo,
        data: options.data,
        follow,
        events,
        secrets,
        drivers,
        pointerWatch,
        ...(options.layout ? { layout: options.layout } : {}),
        ...(options.trust ? { trust: options.trust } : {}),
        // No abort signal: a deploy in flight finishes (or rolls back) before the agent stops.
        ...(options.dryRun ? { dryRun: true } : {}),
      });
      status.lastPass = result;
      delete status.lastError;
      // The repository moved while this pass ran (its confirmation window saw a newer release):
      // the next pass is asked for now, whatever started this one, not one poll interval later.
      const fetched = pointerWatch.fetched(branch);
      if (
        !once &&
        status.running &&
        result.commit !== undefined &&
        fetched !== undefined &&
        fetched !== result.commit
      ) {
        runPass("moved").catch(() => undefined); // failures are in status and events
      }
      // git's maintenance of the mirror waits until the agent has nothing else to do.
      if (!once) void pass.idle().then(() => (status.running ? pointerWatch.tidy() : undefined));
      return result;
    } catch (error) {
      status.lastError = serializeError(error);
      events.emit({ type: "agent.pass_failed", message: status.lastError.message, error: status.lastError });
      throw error;
    } finally {
      status.passes += 1;
      status.inFlight = false;
    }
  });

  let timer: NodeJS.Timeout | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let stopping: Promise<void> | undefined;

  const runPass = (reason: string): Promise<PassResult> => {
    status.lastTrigger = reason;
    pointerWatch.note();
    // A pass that is busy (a confirmation window) learns of a newer release now, not at its next check.
    if (status.inFlight) void pointerWatch.refresh();
    return pass.request();
  };
  // The next poll is one interval after the agent is idle (a pass asked for meanwhile ran too).
  const schedule = (): void => {
    if (!status.running) return;
    timer = setTimeout(() => {
      void runPass("poll")
        .catch(() => undefined)
        .then(() => pass.idle())
        .then(schedule);
    }, options.pollMs);
  };
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      status.running = false;
      if (timer) clearTimeout(timer);
      await pass.idle();
      await pointerWatch.tidy();
      pointerWatch.close();
      lock?.release();
      unregisterBootSecrets(options.data, secrets);
      await events.close();
      resolveClosed();
    })();
    return stopping;
  };
  options.signal?.addEventListener("abort", () => void stop(), { once: true });

  const handle: AgentHandle = {
    trigger(reason, current): void {
      if (!status.running) return;
      if (current !== undefined && follow === "current") pointerWatch.tell(current.app, current.release);
      runPass(reason).catch(() => undefined); // failures are in status and events
    },
    reconcileNow: (stored) => {
      if (!status.running)
        return Promise.reject(new SkiffError("ERR_SKIFF_NOT_RUNNING", "the agent has stopped"));
      if (stored) pointerWatch.tell(stored.app, stored.release);
      return runPass("request");
    },
    stop,
    status: () => secrets.redact({ ...status }),
    closed,
  };

  if (once) {
    try {
      await runPass(options.dryRun ? "dry-run" : "once");
    } finally {
      await stop();
    }
    return handle;
  }
  events.emit({
    type: "agent.started",
    message: `following ${options.follow ?? "current"} every ${options.pollMs}ms`,
    data: { pid: process.pid },
  });
  void runPass("start")
    .catch(() => undefined)
    .then(() => pass.idle())
    .then(schedule);
  return handle;
}
