import type { ApplyContext, ActionOutcome } from "./apply-context.js";
import { deployRelease } from "./deploy-release.js";
import { destroyOnHost } from "./destroy-on-host.js";
import type { Action, DesiredApp } from "./plan.js";
import { restartInstance } from "./restart-instance.js";
import { updateState } from "./state.js";
import { emptyAppState } from "./state-schema.js";

export type { ApplyContext, ActionOutcome } from "./apply-context.js";

/** Carries out a plan, one app after the other; a failure of one app never stops the others. */
export async function applyPlan(actions: readonly Action[], ctx: ApplyContext): Promise<ActionOutcome[]> {
  const outcomes: ActionOutcome[] = [];
  for (const action of actions) outcomes.push(await applyAction(action, ctx));
  return outcomes;
}

async function applyAction(action: Action, ctx: ApplyContext): Promise<ActionOutcome> {
  switch (action.kind) {
    case "deploy":
      return deployRelease(action, ctx);
    case "restart":
      return restartInstance(action, ctx);
    case "report-removed":
      ctx.events.emit({
        type: "app.removed",
        app: action.app,
        message: action.reason,
        data: { instance: action.instance?.id },
      });
      await updateState(ctx.data, (state) => {
        const app = state.apps[action.app];
        if (app) app.removedAt = new Date().toISOString();
      });
      return { action, ok: true, ...(action.instance ? { instance: action.instance } : {}) };
    case "destroy":
      return destroyOnHost(action, ctx);
    case "report-error":
      ctx.events.emit({ type: "app.skipped", app: action.app, message: action.reason, error: action.error });
      return { action, ok: false, error: action.error };
  }
}

/**
 * After a pass: remember which pointer value and commit each app was reconciled to. A moved
 * pointer ends the holds (failed releases, a manual stop) recorded under the old value.
 */
export function recordReconciled(
  data: string,
  desired: readonly DesiredApp[],
  commit: string,
): Promise<void> {
  return updateState(data, (state) => {
    for (const want of desired) {
      if (want.release === undefined) continue;
      const app = state.apps[want.app] ?? emptyAppState();
      state.apps[want.app] = app;
      if (app.observedCurrent !== want.release) {
        app.failed = [];
        delete app.stopped;
        app.observedCurrent = want.release;
      }
      delete app.removedAt;
      app.reconciledCommit = commit;
    }
  });
}
