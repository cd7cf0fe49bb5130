import { rm } from "node:fs/promises";
import { join } from "node:path";
import { isSkiffError, SkiffError } from "../../errors/index.js";
import { destroyApp, type DestroyAppResult } from "../../store/index.js";
import { appRepoPath } from "../apps.js";
import type { ApiContext } from "./api-context.js";
import { summarizeApp } from "./app-views.js";

export interface DestroyedApp {
  app: string;
  destroyed: true;
  purged: boolean;
  removedReleases: number[];
  stoppedInstance?: string;
  commit?: string;
}

/**
 * DELETE /apps/:app: the tombstone commit (followers stop the app when they see it), the server's
 * own instance stopped at once (its address is free when this returns), then the app's git
 * repository and builds removed. Releases stay in the deployment repository unless `purge`.
 */
export async function destroyServerApp(ctx: ApiContext, app: string, purge: boolean): Promise<DestroyedApp> {
  const { pointers } = await summarizeApp(ctx.views, app);
  const queue = ctx.views.queue.snapshot();
  if (queue.building.includes(app) || queue.waiting.includes(app)) {
    throw new SkiffError("ERR_SKIFF_APP_BUSY", `a push of ${app} is under way`, {
      hint: `wait until it ends (skiff apps shows it building), then destroy ${app}`,
    });
  }
  let result: DestroyAppResult | undefined;
  if (pointers !== undefined || purge) {
    result = await destroyApp({ repo: ctx.deployRepo, app, purge }).catch((error: unknown) => {
      if (isSkiffError(error) && error.code === "ERR_SKIFF_NO_SUCH_APP") return undefined;
      throw error;
    });
  }
  const stopped = await ctx.host.stop(app);
  // The next pass forgets the app here; followers learn of the tombstone from the trigger.
  ctx.host.announce({ app, ...(result?.current === undefined ? {} : { release: result.current }) });
  await rm(appRepoPath(ctx.data, app), { recursive: true, force: true });
  await rm(join(ctx.data, "builds", app), { recursive: true, force: true });
  return {
    app,
    destroyed: true,
    purged: purge,
    removedReleases: result?.removed ?? [],
    ...(stopped?.instance ? { stoppedInstance: stopped.instance.id } : {}),
    ...(result?.commit ? { commit: result.commit } : {}),
  };
}
