import { SkiffError } from "../../errors/index.js";
import { countCommitsTouching, listTree, readFileAt } from "../../git/index.js";
import { LATEST_PATH, parseLatest, requirePlainFile } from "./layout.js";

/** What a 2015 deployment repository says should run, in the shape of the skiff layout's AppPointers. */
export interface MiragePointers {
  app: string;
  /** The release number: how many commits up to this one changed xen/latest (grows with every deploy). */
  current: number;
  /** Same as current: the 2015 layout has no separate sequence counter. */
  sequence: number;
  /** The source commit id xen/latest holds: the 2015 name of the release, and its folder xen/<id>/. */
  id: string;
}

const LATEST_MAX_BYTES = 256;

/** Reads xen/latest at `commit` of the mirror; refuses anything but a plain commit id. */
export async function readMiragePointers(options: {
  mirror: string;
  commit: string;
  app: string;
}): Promise<MiragePointers> {
  const entry = (await listTree(options.mirror, options.commit, LATEST_PATH)).find(
    (e) => e.path === LATEST_PATH,
  );
  if (!entry) {
    throw new SkiffError(
      "ERR_SKIFF_CURRENT_INVALID",
      `the deployment repository has no ${LATEST_PATH} at ${options.commit.slice(0, 12)}`,
      {
        hint: "is this a 2015-style (mirage-2015) deployment repository? It needs xen/latest naming the commit to run",
        data: { app: options.app },
      },
    );
  }
  requirePlainFile(entry);
  if ((entry.size ?? Infinity) > LATEST_MAX_BYTES) {
    throw new SkiffError(
      "ERR_SKIFF_PATH_ESCAPE",
      `${LATEST_PATH} is ${entry.size} bytes, not one commit id`,
      {
        hint: "write the full source commit id into xen/latest",
        data: { path: LATEST_PATH },
      },
    );
  }
  const id = parseLatest((await readFileAt(options.mirror, options.commit, LATEST_PATH)) ?? "");
  const current = await countCommitsTouching(options.mirror, options.commit, LATEST_PATH);
  return { app: options.app, current, sequence: current, id };
}
