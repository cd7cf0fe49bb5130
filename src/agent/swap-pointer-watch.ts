import { readPointers, syncMirror } from "../store/index.js";

/**
 * A reader of the followed pointer of one app, fetched fresh from the deployment repository: the
 * confirmation window asks it, so a newer release ends the window early instead of waiting it out.
 */
export function createPointerWatch(options: {
  repo: string;
  mirror: string;
  follow: "current" | "staging";
}): (app: string) => Promise<number | undefined> {
  return async (app: string) => {
    const commit = await syncMirror({ url: options.repo, mirror: options.mirror });
    if (commit === undefined) return undefined;
    const pointer = (await readPointers({ mirror: options.mirror, commit })).find((p) => p.app === app);
    return pointer?.[options.follow];
  };
}
