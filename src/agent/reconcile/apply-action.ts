import type { Action } from "../plan/index.js";
import { updateAppState } from "../state/index.js";
import { destroyOnHost } from "./destroy-on-host.js";
import { deployRelease, restartInstance, type ActionContext, type ActionOutcome } from "../swap/index.js";

/** Carries out one app's action in its worker; a failure is the outcome, never a throw. */
export async function applyAction(action: Action, ctx: ActionContext): Promise<ActionOutcome> {
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
        data: { instance: action.instances[0]?.id },
      });
      await updateAppState(ctx.data, action.app, (app) => {
        app.removedAt = new Date().toISOString();
      });
      return { action, ok: true, instances: action.instances };
    case "destroy":
      return destroyOnHost(action, ctx);
    case "report-error":
      ctx.events.emit({ type: "app.skipped", app: action.app, message: action.reason, error: action.error });
      return { action, ok: false, error: action.error, instances: [] };
  }
}
