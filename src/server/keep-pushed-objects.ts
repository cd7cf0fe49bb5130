import { basename, dirname, join, resolve } from "node:path";
import { SkiffError } from "../errors/index.js";
import { isConnected, migrateQuarantine } from "../git/index.js";
import type { ReceivedPush } from "./hook-request.js";

export interface KeepPushedObjectsOptions {
  /** The app repository the push goes to. */
  repo: string;
  push: ReceivedPush;
  /** The pushed tip of main. */
  commit: string;
  /** The pusher's: aborted when it went away. */
  signal: AbortSignal;
}

/**
 * The commit point of a push, just before its release is stored: the pushed objects move from git
 * receive-pack's quarantine (removed when receive-pack ends, whatever happened) into the app
 * repository itself, so the server can move main to them even when git no longer can. Throws, and
 * nothing is kept, when the pusher went away first or an object is missing.
 */
export async function keepPushedObjects(options: KeepPushedObjectsOptions): Promise<void> {
  const objects = join(options.repo, "objects");
  const quarantine =
    options.push.objectDirs[0] === undefined ? undefined : resolve(options.push.objectDirs[0]);
  try {
    if (quarantine && dirname(quarantine) === objects && basename(quarantine).startsWith("tmp_objdir-")) {
      await migrateQuarantine({ dir: quarantine, objects, env: {} });
    }
  } catch (error) {
    // receive-pack removes its quarantine as it dies: the pusher is gone.
    if (!options.signal.aborted) throw error;
  }
  if (options.signal.aborted) throw pusherGone();
  if (!(await isConnected(options.repo, options.commit))) {
    throw new SkiffError(
      "ERR_SKIFF_PUSH_REJECTED",
      "objects of the pushed commit are missing on the server",
      {
        hint: "push again",
        data: { commit: options.commit },
      },
    );
  }
}

export function pusherGone(): SkiffError {
  return new SkiffError("ERR_SKIFF_PUSH_CANCELLED", "the pusher went away before the push was stored", {
    hint: "push again: nothing of this push was kept",
  });
}
