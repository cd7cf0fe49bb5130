import type { EventBus } from "../../events/index.js";
import type { DesiredApp } from "../plan/index.js";
import { clearRefusal, recordRefusal } from "../gate/index.js";

/**
 * For a layout without signatures (mirage-2015): a pointer that cannot be read (a latest naming a
 * path outside xen/) is recorded for `skiff status` and reported once as release.refused; the
 * planner then touches nothing of the app.
 */
export async function reportPointerErrors(
  desired: readonly DesiredApp[],
  options: { data: string; commit: string; events: EventBus; dryRun: boolean },
): Promise<DesiredApp[]> {
  if (options.dryRun) return [...desired];
  for (const want of desired) {
    if (want.error === undefined) {
      await clearRefusal(options.data, want.app);
      continue;
    }
    const fresh = await recordRefusal(options.data, {
      app: want.app,
      commit: options.commit,
      error: want.error,
    });
    if (!fresh) continue;
    options.events.emit({
      type: "release.refused",
      app: want.app,
      message: `${want.app} refused: ${want.error.message}`,
      error: want.error,
      data: { commit: options.commit },
    });
  }
  return [...desired];
}
