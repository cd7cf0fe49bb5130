import { join } from "node:path";
import type { EventBus } from "../events/index.js";
import { applyPlan, recordReconciled, type ActionOutcome } from "./apply.js";
import { describeAction, planReconcile, type Action, type DesiredApp } from "./plan.js";
import { readActual } from "./read-actual.js";
import type { HostDrivers } from "./host-capabilities.js";
import { reportPointerErrors, skiffLayout, type ReleaseLayout } from "./layouts/index.js";
import type { PointerWatch } from "./swap-pointer-watch.js";
import { recoverSwaps } from "./swap-recovery.js";
import type { BootSecrets } from "./secrets.js";
import { gateDesired } from "./trust-gate.js";
import type { TrustPolicy } from "../trust/index.js";

/** Which pointer of each app the agent deploys: production follows current, a staging host staging. */
export type FollowPointer = "current" | "staging";

export interface ReconcileOptions {
  repo: string;
  data: string;
  follow: FollowPointer;
  events: EventBus;
  dryRun?: boolean;
  signal?: AbortSignal;
  /** The agent's --trust keys and threshold: releases are verified before they are planned. */
  trust?: TrustPolicy;
  /** The agent's host key holder for sealed values. */
  secrets?: BootSecrets;
  /** This host's drivers (--drivers, solo5 devices); availability is asked once per agent run. */
  drivers?: HostDrivers;
  /** How the deployment repository is read: skiff's layout (default) or mirage-2015. */
  layout?: ReleaseLayout;
  /** The agent's pointer watch: every fetch of a pass goes through it (shared across passes, refreshed by triggers). */
  pointerWatch: PointerWatch;
}

export interface PassResult {
  /** The deployment repository commit reconciled to; undefined while the repository is empty. */
  commit?: string;
  actions: Action[];
  /** One per action, in order; empty for a dry run. */
  outcomes: ActionOutcome[];
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
}

export function mirrorPath(data: string): string {
  return join(data, "mirror.git");
}

/** One pass: fetch the deployment repository, plan against what runs, apply (unless a dry run). */
export async function reconcileOnce(options: ReconcileOptions): Promise<PassResult> {
  const { pointerWatch } = options;
  const reader = pointerWatch.reader;
  const startedAt = new Date().toISOString();
  const mirror = mirrorPath(options.data);
  // A swap left half done by a dead agent is resolved to one serving instance first, even if the fetch fails.
  if (options.dryRun !== true) await recoverSwaps({ data: options.data, events: options.events });
  const layout = options.layout ?? skiffLayout;
  // The watch's fetch of a trigger that arrived during the previous pass is reused, not repeated.
  const commit = await pointerWatch.sync(layout.branch);
  const dryRun = options.dryRun ?? false;
  if (commit === undefined) {
    options.events.emit({ type: "agent.fetched", message: "the deployment repository has no commits yet" });
    return { actions: [], outcomes: [], dryRun, startedAt, finishedAt: new Date().toISOString() };
  }
  options.events.emit({
    type: "agent.fetched",
    message: `deployment repository at ${commit.slice(0, 12)}`,
    data: { commit },
  });
  const named: DesiredApp[] = await layout.readDesired({ mirror, commit, follow: options.follow, reader });
  // Signatures, sequence, expiry and sealed values are checked before anything is planned.
  const desired = layout.signed
    ? await gateDesired(named, {
        data: options.data,
        mirror,
        commit,
        reader,
        follow: options.follow,
        events: options.events,
        dryRun,
        ...(options.trust ? { trust: options.trust } : {}),
        ...(options.secrets ? { secrets: options.secrets } : {}),
      })
    : await reportPointerErrors(named, { data: options.data, commit, events: options.events, dryRun });
  const actions = planReconcile(desired, await readActual(options.data));
  options.events.emit({
    type: "agent.planned",
    message: `${actions.length} action(s)`,
    data: { commit, dryRun, actions: actions.map(describeAction) },
  });
  if (dryRun)
    return { commit, actions, outcomes: [], dryRun, startedAt, finishedAt: new Date().toISOString() };
  const outcomes = await applyPlan(actions, {
    data: options.data,
    mirror,
    commit,
    reader,
    events: options.events,
    pointerNews: (app) => pointerWatch.news(app),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.drivers ? { drivers: options.drivers } : {}),
    ...(options.layout ? { layout: options.layout } : {}),
  });
  await recordReconciled(options.data, desired, commit);
  return { commit, actions, outcomes, dryRun, startedAt, finishedAt: new Date().toISOString() };
}
