import { SkiffError, serializeError } from "../../errors/index.js";
import type { Action } from "../plan/index.js";
import { readState, updateAppState } from "../state/index.js";
import { destroyOnHost } from "./destroy-on-host.js";
import {
  deployRelease,
  resolveSwap,
  restartInstance,
  type ActionContext,
  type ActionOutcome,
} from "../swap/index.js";

/**
 * A swap still in state (its recovery failed: a full disk …) names instances the app's records may
 * not, such as the old set that serves again: a deploy or restart would record over it and leave
 * that set running unrecorded. So it waits until the swap is resolved.
 */
async function unresolvedSwap(action: Action, ctx: ActionContext): Promise<ActionOutcome | undefined> {
  if (readState(ctx.data).apps[action.app]?.swap === undefined) return undefined;
  await resolveSwap({ data: ctx.data, app: action.app, events: ctx.events });
  if (readState(ctx.data).apps[action.app]?.swap === undefined) return undefined;
  const error = new SkiffError(
    "ERR_SKIFF_SWAP_UNRESOLVED",
    `${action.app} has a swap an earlier deploy left unresolved; nothing is started until it is`,
    {
      hint: "the agent tries again every second; swap.recovery_failed events say what stops it (a full disk …)",
    },
  );
  return { action, ok: false, error: serializeError(error), instances: [] };
}

/** Carries out one app's action in its worker; a failure is the outcome, never a throw. */
export async function applyAction(action: Action, ctx: ActionContext): Promise<ActionOutcome> {
  if (action.kind === "deploy" || action.kind === "restart") {
    const refused = await unresolvedSwap(action, ctx);
    if (refused !== undefined) return refused;
  }
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
