import type { SerializedError } from "../errors/index.js";
import type { EventBus } from "../events/index.js";
import { readRef } from "../git/index.js";
import { readManifest, readPointers, type PointerChange } from "../store/index.js";
import { landStoredPush } from "./land-stored-pushes.js";
import { clearPushPending, type PendingPush } from "./pending-push.js";
import type { DeployRelease } from "./push-pipeline.js";
import { restoreCurrent } from "./restore-current.js";

const MAIN = "refs/heads/main";
/** Never aborted: a push being settled is not cut short by anyone (as past a push's commit point). */
const LANDING = new AbortController().signal;

export interface SettleOptions {
  data: string;
  deployRepo: string;
  events: EventBus;
  /** The embedded agent's deploy, as a push's pipeline uses it. */
  deploy: DeployRelease;
  /** Called once current points back at the serving release (followers are told). */
  onRestored?: (change: PointerChange) => void;
  /** Aborted when the server stops: a push not settled by then stays pending for the next start. */
  stopping: AbortSignal;
}

/**
 * At start, after the embedded agent: each push the server died in the middle of (stored, its
 * deploy's outcome never settled) ends as its pipeline would have ended it. Its release still
 * current: the deploy is run again; served, main moves (push.landed); failed, current goes back to
 * the release that serves and main stays (push.refused). Never throws.
 */
export async function settlePendingPushes(
  options: SettleOptions,
  pending: readonly PendingPush[],
): Promise<void> {
  await Promise.all(pending.map((push) => settlePush(options, push)));
}

async function settlePush(options: SettleOptions, push: PendingPush): Promise<void> {
  const report = (type: string, message: string, release: number, error?: SerializedError): void => {
    options.events.emit({
      type,
      app: push.app,
      release,
      message: `push of ${push.app} ${push.commit.slice(0, 7)}: ${message}`,
      data: { commit: push.commit, release, by: "server", stage: "start" },
      ...(error === undefined ? {} : { error }),
    });
  };
  try {
    const current = await currentOf(options.deployRepo, push);
    // Never stored, staged only, or current moved since (a rollback, a newer store): nothing to settle.
    if (current === undefined) {
      clearPushPending(options.data, push);
      return;
    }
    const deployed = await options.deploy({ app: push.app, release: current.release, signal: LANDING });
    // The server stops meanwhile: the deploy was cut short, not judged; the next start settles it.
    if (options.stopping.aborted) return;
    if (deployed.ok) {
      await landStoredPush({ ...options, tip: current.tip, app: push.app, current: current.release });
      return;
    }
    if (deployed.serving !== undefined) {
      const change = await restoreCurrent({
        deployRepo: options.deployRepo,
        app: push.app,
        failed: current.release,
        serving: deployed.serving,
        signal: LANDING,
      });
      if (change.changed) options.onRestored?.(change);
    }
    const back = deployed.serving === undefined ? "" : `; current is release ${deployed.serving} again`;
    report(
      "push.refused",
      `its deploy failed when the server started again${back}; main did not move`,
      current.release,
      deployed.error,
    );
  } catch (error) {
    options.events.emit({
      type: "push.settle_failed",
      app: push.app,
      message: `could not settle the push of ${push.app} ${push.commit.slice(0, 7)}: ${(error as Error).message}`,
    });
    // Kept: the next start tries again.
    return;
  }
  clearPushPending(options.data, push);
}

/** The app's current release when its manifest was built from the push's commit (and the tip read). */
async function currentOf(
  deployRepo: string,
  push: PendingPush,
): Promise<{ release: number; tip: string } | undefined> {
  const tip = await readRef(deployRepo, MAIN);
  if (tip === undefined) return undefined;
  const pointers = await readPointers({ mirror: deployRepo, commit: tip });
  const release = pointers.find((p) => p.app === push.app)?.current;
  if (release === undefined) return undefined;
  const manifest = await readManifest({ mirror: deployRepo, commit: tip, app: push.app, release });
  return manifest.source.commit === push.commit ? { release, tip } : undefined;
}
