import { hostname } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { ObjectReader } from "../../git/index.js";
import type { TrustPolicy } from "../../trust/index.js";
import { gateDesired } from "../gate/index.js";
import { reportPointerErrors, skiffLayout, type ReleaseLayout } from "../layouts/index.js";
import type { LoopPass, PassContext } from "../loop/index.js";
import {
  describeAction,
  planReconcile,
  type Action,
  type ActualApp,
  type DesiredApp,
} from "../plan/index.js";
import { readState } from "../state/index.js";
import { healFrontDoor, resolveSwap, type ActionOutcome } from "../swap/index.js";
import { readActual } from "./read-actual.js";
import { createRetryTimers, type RetryTimers } from "../worker/index.js";
import { followRetry } from "./follow-retry.js";
import { reconcileApp } from "./reconcile-app.js";
import { reportAdoptions } from "./report-adoptions.js";

export interface PassResult {
  /** The deployment repository commit planned at; undefined while the repository is empty. */
  commit?: string;
  actions: Action[];
  /**
   * What each action's worker did, in action order. Filled for --once (the loop waits for every
   * worker); a running agent's pass hands the actions over and returns first, so it is empty
   * (AgentHandle.settled(app) waits for an app's outcome).
   */
  outcomes: ActionOutcome[];
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
}

/** How soon a swap whose recovery failed is tried again while the agent runs. */
const SWAP_RETRY_MS = 1000;

export function mirrorPath(data: string): string {
  return join(data, "mirror.git");
}

export interface ProductionPassOptions {
  data: string;
  /** Which pointer of each app to deploy (a staging host may run production's pass on staging). */
  follow: "current" | "staging";
  layout?: ReleaseLayout;
  trust?: TrustPolicy;
  /** False for --once and --dry-run: a host fault's retry is left to the next agent run (no timer). */
  retry?: boolean;
  /**
   * An app that nothing changed for since its last check (the same pointer value, the same
   * instances, holds and statuses) is checked again by a pass only once its last check is this old
   * (the agent passes half its poll interval): a push of one app does not re-check every other.
   * Default 0: every pass checks every app.
   */
  recheckMs?: number;
}

/** The last pointer value the pass handed to an app's worker, and where it read it. */
export interface HandedOver {
  want: DesiredApp;
  commit: string;
  reader: ObjectReader;
}

export interface ProductionPass extends LoopPass<PassResult, ActionOutcome> {
  /** What the last pass handed to each app (AgentHandle.startApp reconciles with it at once). */
  handedOver(app: string): HandedOver | undefined;
}

/** The production agent's pass: fetch, gate, plan, and hand each app's action to its worker. */
export function createProductionPass(options: ProductionPassOptions): ProductionPass {
  const layout = options.layout ?? skiffLayout;
  const handed = new Map<string, HandedOver>();
  /** Each app as its last task left it (what the pass would plan from), and when that task ended. */
  const checked = new Map<
    string,
    { want: DesiredApp | undefined; have: ActualApp | undefined; at: number }
  >();
  let timers: RetryTimers | undefined;
  return {
    follow: options.follow,
    label: {
      started: `following ${options.follow}`,
      lockHint: "run one agent per data dir: stop the other one, or pass a different --data",
      defaultHost: () => hostname(),
    },
    prepare: (ctx) => reportAdoptions(ctx.data, ctx.events),
    run: (ctx) => runPass(ctx),
    settle: (result, ctx) => ({
      ...result,
      outcomes: result.actions
        .map((action) => ctx.workers.last(action.app))
        .filter((outcome): outcome is ActionOutcome => outcome !== undefined),
    }),
    handedOver: (app) => handed.get(app),
  };

  async function runPass(ctx: PassContext<ActionOutcome>): Promise<PassResult> {
    const startedAt = new Date().toISOString();
    const { dryRun, events } = ctx;
    // Swaps left half done by a dead agent are resolved to one serving set first, even if the fetch fails.
    if (ctx.first && !dryRun) await recoverEveryApp(ctx);
    const commit = await ctx.fetcher.sync(layout.branch);
    const done = (fields: Partial<PassResult>): PassResult => ({
      actions: [],
      outcomes: [],
      dryRun,
      startedAt,
      finishedAt: new Date().toISOString(),
      ...fields,
    });
    if (commit === undefined) {
      events.emit({ type: "agent.fetched", message: "the deployment repository has no commits yet" });
      return done({});
    }
    events.emit({
      type: "agent.fetched",
      message: `deployment repository at ${commit.slice(0, 12)}`,
      data: { commit },
    });
    const mirror = mirrorPath(ctx.data);
    const reader = ctx.fetcher.reader;
    const named = await layout.readDesired({ mirror, commit, follow: options.follow, reader });
    // Signatures, sequence, expiry and sealed values are checked before anything is planned.
    const desired = layout.signed
      ? await gateDesired(named, {
          data: ctx.data,
          mirror,
          commit,
          reader,
          follow: options.follow,
          events,
          dryRun,
          secrets: ctx.secrets,
          ...(options.trust ? { trust: options.trust } : {}),
        })
      : await reportPointerErrors(named, { data: ctx.data, commit, events, dryRun });
    const actual = await readActual(ctx.data);
    const actions = planReconcile(desired, actual);
    events.emit({
      type: "agent.planned",
      message: `${actions.length} action(s)`,
      data: { commit, dryRun, actions: actions.map(describeAction) },
    });
    if (!dryRun) handOver(ctx, { desired, actual, actions, commit });
    return done({ commit, actions });
  }

  /**
   * Gives every app its task: an idle worker re-plans its app (and checks its front door) unless
   * nothing changed for it since a recent check; a busy one is left alone unless the pointer now
   * names another release, which ends its window or backoff and runs after it (workqueue
   * semantics: the newest pointer value wins).
   */
  function handOver(
    ctx: PassContext<ActionOutcome>,
    plan: { desired: DesiredApp[]; actual: ActualApp[]; actions: Action[]; commit: string },
  ): void {
    const wanted = new Map(plan.desired.map((d) => [d.app, d]));
    const have = new Map(plan.actual.map((a) => [a.app, a]));
    const acting = new Set(plan.actions.map((a) => a.app));
    const reader = ctx.fetcher.reader;
    const swapping = new Set(
      Object.entries(readState(ctx.data).apps).flatMap(([app, s]) => (s.swap === undefined ? [] : [app])),
    );
    const now = Date.now();
    for (const app of new Set([...wanted.keys(), ...have.keys()])) {
      const want = wanted.get(app);
      if (want !== undefined) handed.set(app, { want, commit: plan.commit, reader });
      const busy = ctx.workers.busy(app);
      if (busy !== undefined && !acting.has(app) && busy.release === want?.release) continue;
      const last = checked.get(app);
      const unchanged =
        busy === undefined &&
        !acting.has(app) &&
        !swapping.has(app) &&
        last !== undefined &&
        now - last.at < (options.recheckMs ?? 0) &&
        isDeepStrictEqual(last.want, want) &&
        isDeepStrictEqual(last.have, have.get(app));
      if (unchanged) continue;
      submitReconcile(ctx, app, want === undefined ? { commit: plan.commit, reader } : handed.get(app)!);
    }
  }

  /** Hands the app's reconcile to its worker; after it, a host fault's retry is followed up. */
  function submitReconcile(
    ctx: PassContext<ActionOutcome>,
    app: string,
    from: Omit<HandedOver, "want"> & { want?: DesiredApp },
  ): void {
    const { want } = from;
    timers ??= options.retry === false ? undefined : createRetryTimers(ctx.stopping);
    void ctx.workers.submit(app, {
      what: "reconcile",
      ...(want?.release === undefined ? {} : { release: want.release }),
      run: async (signal) => {
        const again = (): void => {
          const latest = handed.get(app);
          if (latest !== undefined) submitReconcile(ctx, app, latest);
        };
        try {
          const outcome = await reconcileApp(
            {
              app,
              ...(want ? { want } : {}),
              data: ctx.data,
              mirror: mirrorPath(ctx.data),
              commit: from.commit,
              reader: from.reader,
              events: ctx.events,
              drivers: ctx.drivers,
              ...(ctx.fleet ? { fleet: ctx.fleet } : {}),
              layout,
            },
            signal,
          );
          // What the next pass compares with: the app as this task left it (unread: checked again).
          const after = await readActual(ctx.data, [app]).catch(() => undefined);
          if (after === undefined) checked.delete(app);
          else checked.set(app, { want, have: after[0], at: Date.now() });
          followRetry({
            data: ctx.data,
            app,
            events: ctx.events,
            outcome,
            ...(timers ? { timers } : {}),
            // When due: reconciled again with what the last pass read (a newer pointer deploys instead).
            again,
          });
          return outcome;
        } catch (error) {
          // A task that failed left the app as nobody read it: the next pass checks it again.
          checked.delete(app);
          throw error;
        } finally {
          // A swap left unresolved (its recovery or outcome hit a full disk …) is tried again soon, not at the next poll.
          if (timers !== undefined && !timers.has(app) && readState(ctx.data).apps[app]?.swap !== undefined)
            timers.schedule(app, Date.now() + SWAP_RETRY_MS, again);
        }
      },
    });
  }
}

/** Every app in state, each in its worker: a swap a dead agent left is resolved, the front door checked. */
async function recoverEveryApp(ctx: PassContext<ActionOutcome>): Promise<void> {
  const apps = Object.keys(readState(ctx.data).apps);
  await Promise.all(
    apps.map((app) =>
      ctx.workers
        .submit(app, {
          what: "recover",
          run: async () => {
            const recovery = { data: ctx.data, app, events: ctx.events };
            if (!(await resolveSwap(recovery))) await healFrontDoor(recovery);
            return undefined;
          },
        })
        .catch(() => undefined),
    ),
  );
}
