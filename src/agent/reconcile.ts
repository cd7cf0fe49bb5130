import { join } from "node:path";
import type { EventBus } from "../events/index.js";
import { readPointers, syncMirror } from "../store/index.js";
import { applyPlan, recordReconciled, type ActionOutcome } from "./apply.js";
import {
  describeAction,
  planReconcile,
  type Action,
  type DesiredApp,
} from "./plan.js";
import { readActual } from "./read-actual.js";
import type { BootSecrets } from "./secrets.js";
import { gateDesired } from "./trust-gate.js";
import type { TrustPolicy } from "../trust/index.js";
import { createPointerWatch } from "./swap-pointer-watch.js";
import { recoverSwaps } from "./swap-recovery.js";

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
export async function reconcileOnce(
  options: ReconcileOptions,
): Promise<PassResult> {
  const startedAt = new Date().toISOString();
  const mirror = mirrorPath(options.data);
  // A swap left half done by a dead agent is resolved to one serving instance first, even if the fetch fails.
  if (options.dryRun !== true)
    await recoverSwaps({ data: options.data, events: options.events });
  const commit = await syncMirror({ url: options.repo, mirror });
  const dryRun = options.dryRun ?? false;
  if (commit === undefined) {
    options.events.emit({
      type: "agent.fetched",
      message: "the deployment repository has no commits yet",
    });
    return {
      actions: [],
      outcomes: [],
      dryRun,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  }
  options.events.emit({
    type: "agent.fetched",
    message: `deployment repository at ${commit.slice(0, 12)}`,
    data: { commit },
  });
  const pointers = await readPointers({ mirror, commit });
  const named: DesiredApp[] = pointers.map((p) => ({
    app: p.app,
    ...(p[options.follow] === undefined ? {} : { release: p[options.follow] }),
    ...(p.error === undefined ? {} : { error: p.error }),
  }));
  // Signatures, sequence, expiry and sealed values are checked before anything is planned.
  const desired = await gateDesired(named, {
    data: options.data,
    mirror,
    commit,
    follow: options.follow,
    events: options.events,
    dryRun,
    ...(options.trust ? { trust: options.trust } : {}),
    ...(options.secrets ? { secrets: options.secrets } : {}),
  });
  const actions = planReconcile(desired, await readActual(options.data));
  options.events.emit({
    type: "agent.planned",
    message: `${actions.length} action(s)`,
    data: { commit, dryRun, actions: actions.map(describeAction) },
  });
  if (dryRun)
    return {
      commit,
      actions,
      outcomes: [],
      dryRun,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  const outcomes = await applyPlan(actions, {
    data: options.data,
    mirror,
    commit,
    events: options.events,
    readPointer: createPointerWatch({
      repo: options.repo,
      mirror,
      follow: options.follow,
    }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await recordReconciled(options.data, desired, commit);
  return {
    commit,
    actions,
    outcomes,
    dryRun,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}
