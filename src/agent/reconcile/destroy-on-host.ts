import { rm } from "node:fs/promises";
import { join } from "node:path";
import { serializeError } from "../../errors/index.js";
import { appFrontDir } from "../front/index.js";
import { stopApp } from "../operate/index.js";
import type { Action } from "../plan/index.js";
import { updateState } from "../state/index.js";
import type { ActionContext, ActionOutcome } from "../swap/index.js";

type DestroyAction = Extract<Action, { kind: "destroy" }>;

/**
 * The app's tombstone reached this host: its instances and public address stop (the address is
 * free again), and the host forgets it (state, unpacked releases). Instance logs stay on disk.
 */
export async function destroyOnHost(action: DestroyAction, ctx: ActionContext): Promise<ActionOutcome> {
  const events = ctx.events.child({ app: action.app });
  try {
    const stopped = await stopApp(ctx.data, action.app);
    await updateState(ctx.data, (state) => void delete state.apps[action.app]);
    await rm(appFrontDir(ctx.data, action.app), { recursive: true, force: true });
    await rm(join(ctx.data, "releases", action.app), { recursive: true, force: true });
    const first = stopped[0];
    events.emit({
      type: "app.destroyed",
      message: first
        ? `stopped ${stopped.map((i) => i.id).join(", ")} and forgot ${action.app}`
        : `forgot ${action.app}`,
      ...(first ? { release: first.release, data: { instance: first.id } } : {}),
    });
    return { action, ok: true, instances: [] };
  } catch (error) {
    const serialized = serializeError(error);
    events.emit({ type: "app.destroy_failed", message: serialized.message, error: serialized });
    return { action, ok: false, error: serialized, instances: [] };
  }
}
