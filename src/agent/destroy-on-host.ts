import { rm } from "node:fs/promises";
import { join } from "node:path";
import { serializeError } from "../errors/index.js";
import type { ActionOutcome, ApplyContext } from "./apply-context.js";
import { stopApp } from "./operate.js";
import type { Action } from "./plan.js";
import { proxyDir } from "./public-address.js";
import { updateState } from "./state.js";

type DestroyAction = Extract<Action, { kind: "destroy" }>;

/**
 * The app's tombstone reached this host: its instances and public address stop (the address is
 * free again), and the host forgets it (state, unpacked releases). Instance logs stay on disk.
 */
export async function destroyOnHost(action: DestroyAction, ctx: ApplyContext): Promise<ActionOutcome> {
  const events = ctx.events.child({ app: action.app });
  try {
    const stopped = await stopApp(ctx.data, action.app);
    await updateState(ctx.data, (state) => void delete state.apps[action.app]);
    await rm(proxyDir(ctx.data, action.app), { recursive: true, force: true });
    await rm(join(ctx.data, "releases", action.app), { recursive: true, force: true });
    events.emit({
      type: "app.destroyed",
      message: stopped ? `stopped ${stopped.id} and forgot ${action.app}` : `forgot ${action.app}`,
      ...(stopped ? { release: stopped.release, data: { instance: stopped.id } } : {}),
    });
    return { action, ok: true };
  } catch (error) {
    const serialized = serializeError(error);
    events.emit({ type: "app.destroy_failed", message: serialized.message, error: serialized });
    return { action, ok: false, error: serialized };
  }
}
