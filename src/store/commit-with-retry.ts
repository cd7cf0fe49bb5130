import { setTimeout as sleep } from "node:timers/promises";
import { SkiffError } from "../errors/index.js";
import { redactUrl } from "../git/index.js";
import { landCommit } from "./land-commit.js";
import type { StoreChange } from "./new-blobs.js";
import { fetchTip, type Workspace } from "./workspace.js";

/** What one attempt wants to commit on top of the tip it was given. */
export interface CommitPlan<T> {
  /** No changes: nothing is committed or pushed. */
  changes: StoreChange[];
  message: string;
  result: T;
}

export interface CommitOutcome<T> {
  result: T;
  /** The commit on main that holds the change (the unchanged tip when there was nothing to commit). */
  commit: string | undefined;
  attempts: number;
}

export const DEFAULT_ATTEMPTS = 10;

/**
 * Fetch the tip, plan on it, commit, move main without force (push, or an atomic ref update in
 * place); when another writer moved it first, plan again on the new tip. Main moves only to a
 * complete commit.
 */
export async function commitWithRetry<T>(options: {
  workspace: Workspace;
  attempts?: number;
  plan: (tip: string | undefined) => Promise<CommitPlan<T>>;
}): Promise<CommitOutcome<T>> {
  const { workspace } = options;
  const attempts = Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS);
  let lastDetail = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    workspace.signal?.throwIfAborted();
    const tip = await fetchTip(workspace);
    const plan = await options.plan(tip);
    if (plan.changes.length === 0) return { result: plan.result, commit: tip, attempts: attempt };
    const landed = await landCommit({ workspace, tip, changes: plan.changes, message: plan.message });
    if (landed.status === "landed") return { result: plan.result, commit: landed.commit, attempts: attempt };
    if (landed.status === "refused") {
      throw new SkiffError(
        "ERR_SKIFF_STORE_FAILED",
        `the deployment repository ${redactUrl(workspace.url)} refused the ${workspace.inPlace ? "update" : "push"}`,
        {
          hint: workspace.inPlace
            ? "check that you may write to the repository (objects/ and refs/) and what its reference-transaction hook refuses"
            : "push to a bare repository (git init --bare) that you may write to; check its hooks",
          data: { detail: redactUrl(landed.detail) },
        },
      );
    }
    lastDetail = landed.detail;
    // Another writer won this round: back off a little (random, so racers spread out) and rebase the plan.
    await sleep(20 + Math.random() * 80 * attempt, undefined, { signal: workspace.signal });
  }
  throw new SkiffError(
    "ERR_SKIFF_STORE_CONFLICT",
    `gave up after ${attempts} attempts: other writers kept pushing first`,
    {
      hint: "try again; if it persists, something rewrites the deployment repository's main branch in a loop",
      data: { detail: redactUrl(lastDetail) },
    },
  );
}
