import { SkiffError } from "../errors/index.js";
import { skiffLayout, type ReleaseLayout } from "./layouts/index.js";
import {
  startLoop,
  type LoopHandle,
  type LoopOptions,
  type LoopStatus,
  type PassContext,
} from "./loop/index.js";
import { createFleetPublisher, joinFleet, type FleetJoinOptions, type JoinedFleet } from "./fleet/index.js";
import { markStopped, startApp, stopApp, type StoppedInstance } from "./operate/index.js";
import {
  createProductionPass,
  mirrorPath,
  reconcileApp,
  readActual,
  applyAction,
  type PassResult,
  type ProductionPass,
} from "./reconcile/index.js";
import { configureFrontDoor, frontDoorOf } from "./front/index.js";
import { startScaler, wakeApp, type Scaler } from "./scale/index.js";
import { readState } from "./state/index.js";
import { healFrontDoor, type ActionOutcome } from "./swap/index.js";
import { startInstanceHealing } from "./heal-instances.js";

export interface AgentOptions extends LoopOptions {
  /** Which pointer to deploy (default current; a staging host may deploy staging as it is). */
  follow?: "current" | "staging";
  /** How the deployment repository is read: skiff's layout (default) or `--layout mirage-2015`. */
  layout?: ReleaseLayout;
  /** `--fleet`: join the fleet in etcd (swap slots, halts, this host's apps published). */
  fleetJoin?: FleetJoinOptions;
  /** How often the front door's counts are read for idle stops, scale-ups and wakes missed (default 250 ms). */
  scaleTickMs?: number;
}

export type AgentStatus = LoopStatus<PassResult>;

/**
 * A running agent. The server embeds it: trigger() after each store or webhook, status() for the
 * API, and the app operations below, which act through the app's worker at once.
 * Instances keep running after stop(); the next agent on this data dir adopts them.
 */
export interface AgentHandle extends LoopHandle<PassResult, ActionOutcome> {
  /** Stops the app's instances (a window or backoff in flight ends first); it stays stopped until current changes or startApp. */
  stopApp(app: string): Promise<StoppedInstance[]>;
  /** Lifts a stop (and a crash loop) and reconciles the app now: what its pointer names starts. */
  startApp(app: string): Promise<ActionOutcome | undefined>;
  /** Replaces the app's instances by new ones of the same release (its swap strategy: blue-green has no downtime). */
  restartApp(app: string): Promise<ActionOutcome | undefined>;
  /** Wakes a sleeping app now (deploy.scale.min 0), as a connection to it would; resolves once its worker is done. */
  wake(app: string): Promise<void>;
}

/** Starts the production agent: the loop with the production pass (fetch, gate, plan, hand to the apps' workers). */
export async function startAgent(options: AgentOptions): Promise<AgentHandle> {
  const pass = createProductionPass({
    data: options.data,
    follow: options.follow ?? "current",
    retry: options.once !== true && options.dryRun !== true,
    // Every app is still checked at least once a poll interval; a push's pass checks what moved.
    recheckMs: options.pollMs / 2,
    ...(options.layout ? { layout: options.layout } : {}),
    ...(options.trust ? { trust: options.trust } : {}),
  });
  // The door is adopted (or started) with the agent's --front flags, by whoever needs it first.
  configureFrontDoor(options.data, {
    ...(options.front === undefined ? {} : { front: options.front }),
    ...(options.frontIndex === undefined ? {} : { frontIndex: options.frontIndex }),
  });
  const joined = options.fleetJoin ? await joinFleet(options.fleetJoin) : undefined;
  const { handle, context } = await startLoop(
    {
      ...options,
      // A host fetches what it runs, through the reader skiff's layout reads with.
      partialMirror: (options.layout ?? skiffLayout).name === "skiff",
      ...(joined ? { fleet: joined.gate } : {}),
    },
    options.front === undefined || options.dryRun === true ? pass : withFrontDoor(pass, options.data),
  ).catch(async (error: unknown) => {
    await joined?.gate.close();
    throw error;
  });
  if (joined) publishToFleet(joined, context, handle, options);
  const elastic =
    options.once === true || options.dryRun === true ? undefined : startElastic(context, options.scaleTickMs);
  if (elastic !== undefined) void handle.closed.then(() => elastic.stop());
  const healing =
    options.once === true || options.dryRun === true
      ? undefined
      : startInstanceHealing({
          ctx: context,
          reconcile: (app, signal) => reconcileIn(app, pass, context, signal, options.layout),
        });
  if (healing !== undefined) void handle.closed.then(() => healing.stop());
  const running = (): void => {
    if (!handle.status().running) throw new SkiffError("ERR_SKIFF_NOT_RUNNING", "the agent has stopped");
  };
  return {
    ...handle,
    stop: async () => {
      joined?.leave();
      await healing?.stop();
      await elastic?.stop();
      await handle.stop();
    },
    stopApp: async (app) => {
      running();
      // Marked first: the task in flight and any pass meanwhile see it; then its window or backoff ends now.
      const marked = await markStopped(options.data, app);
      context.workers.end(app, { kind: "stopped" });
      let stopped: StoppedInstance[] = [];
      await context.workers.submit(app, {
        what: "stop",
        byHand: true,
        run: async () => {
          stopped = await stopApp(options.data, app, { events: context.events, marked });
          return undefined;
        },
      });
      return stopped;
    },
    startApp: async (app) => {
      running();
      await startApp(options.data, app);
      return (
        reconcileNowIn(app, pass, context, options.layout) ??
        handle.reconcileNow().then(() => handle.settled(app))
      );
    },
    restartApp: async (app) => {
      running();
      // Asked by hand, it does not wait for the app's confirmation window or backoff: that ends now
      // (a window whose probes pass confirms), and the restart runs next.
      const busy = context.workers.busy(app)?.release;
      if (busy !== undefined) context.workers.end(app, { kind: "superseded", release: busy });
      return restartIn(app, pass, context, options.layout);
    },
    wake: async (app) => {
      running();
      await context.workers.submit(app, {
        what: "wake",
        run: async () => {
          const asleep = readState(options.data).apps[app]?.asleep !== undefined;
          if (asleep)
            await wakeApp({ data: options.data, app, events: context.events, drivers: context.drivers });
          return undefined;
        },
      });
    },
  };
}

/** This host's apps go to the fleet at each change; at the end the last word, then the lease is given back. */
function publishToFleet(
  joined: JoinedFleet,
  context: PassContext<ActionOutcome>,
  handle: LoopHandle<PassResult, ActionOutcome>,
  options: AgentOptions,
): void {
  joined.attach(context.events);
  const publisher = createFleetPublisher({
    data: options.data,
    fleet: joined.gate,
    drivers: context.drivers.allowed,
    busy: (app) => context.workers.busy(app)?.release,
  });
  context.events.add(publisher);
  void publisher.publishNow();
  options.signal?.addEventListener("abort", () => joined.leave(), { once: true });
  void handle.closed.then(async () => {
    await publisher.publishNow();
    await joined.gate.close();
  });
}

/** The pass, with the shared listener opened before the first pass even when no app uses it yet. */
function withFrontDoor(pass: ProductionPass, data: string): ProductionPass {
  return {
    ...pass,
    prepare: async (ctx) => {
      await frontDoorOf(data);
      await pass.prepare?.(ctx);
    },
  };
}

/** Wakes, replicas, idle stops and the front door's watch, while the agent runs (not for --once). */
function startElastic(ctx: PassContext<ActionOutcome>, tickMs: number | undefined): Scaler {
  return startScaler({
    ...(tickMs === undefined ? {} : { tickMs }),
    data: ctx.data,
    events: ctx.events,
    drivers: ctx.drivers,
    workers: ctx.workers,
    stopping: ctx.stopping,
    heal: async (app) => {
      // A busy worker routes the app itself when its task ends; the door restored its saved state meanwhile.
      if (ctx.workers.busy(app) !== undefined) return true;
      let healed = true;
      await ctx.workers.submit(app, {
        what: "recover",
        run: async () => void (healed = await healFrontDoor({ data: ctx.data, app, events: ctx.events })),
      });
      return healed;
    },
  });
}

/** The app reconciled in the current task of its worker, against what the last pass handed over; none yet: nothing. */
function reconcileIn(
  app: string,
  pass: ProductionPass,
  ctx: PassContext<ActionOutcome>,
  signal: AbortSignal,
  layout: ReleaseLayout | undefined,
): Promise<ActionOutcome | undefined> {
  const handed = pass.handedOver(app);
  if (handed === undefined) return Promise.resolve(undefined);
  return reconcileApp(
    {
      app,
      want: handed.want,
      data: ctx.data,
      mirror: mirrorPath(ctx.data),
      commit: handed.commit,
      reader: handed.reader,
      events: ctx.events,
      drivers: ctx.drivers,
      ...(ctx.fleet ? { fleet: ctx.fleet } : {}),
      ...(layout ? { layout } : {}),
    },
    signal,
  );
}

function reconcileNowIn(
  app: string,
  pass: ProductionPass,
  ctx: PassContext<ActionOutcome>,
  layout: ReleaseLayout | undefined,
): Promise<ActionOutcome | undefined> | undefined {
  const handed = pass.handedOver(app);
  if (handed === undefined) return undefined;
  return ctx.workers.submit(app, {
    what: "start",
    ...(handed.want.release === undefined ? {} : { release: handed.want.release }),
    run: (signal) => reconcileIn(app, pass, ctx, signal, layout),
  });
}

function restartIn(
  app: string,
  pass: ProductionPass,
  ctx: PassContext<ActionOutcome>,
  layout: ReleaseLayout | undefined,
): Promise<ActionOutcome | undefined> {
  // The release it acts on: a newer one named meanwhile ends its window, as for a deploy.
  const release = readState(ctx.data).apps[app]?.instances[0]?.release;
  return ctx.workers.submit(app, {
    what: "restart",
    byHand: true,
    ...(release === undefined ? {} : { release }),
    run: async (signal) => {
      const [have] = await readActual(ctx.data, [app]);
      const running = have?.instances.filter((i) => i.status === "running").map((i) => i.instance) ?? [];
      const release = running[0]?.release;
      if (have === undefined || release === undefined || have.stopped)
        throw new SkiffError(
          "ERR_SKIFF_NOT_RUNNING",
          `${app} has no running instance on this host to restart`,
          {
            hint: `see the app with skiff status; skiff start ${app} starts what current names`,
          },
        );
      const handed = pass.handedOver(app);
      return applyAction(
        { kind: "deploy", app, release, from: running, reason: "restart by hand", restart: true },
        {
          data: ctx.data,
          mirror: mirrorPath(ctx.data),
          // The release's files are unpacked here; the mirror is only read when they are gone.
          commit: handed?.commit ?? "main",
          ...(handed ? { reader: handed.reader } : {}),
          events: ctx.events,
          drivers: ctx.drivers,
          signal,
          ...(layout ? { layout } : {}),
        },
      );
    },
  });
}
