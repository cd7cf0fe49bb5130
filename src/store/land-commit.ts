import {
  commitTree,
  createQuarantine,
  migrateQuarantine,
  pushCommit,
  removeQuarantine,
  type Quarantine,
  updateRefLocked,
  writeTreeWithChanges,
} from "../git/index.js";
import { writeNewBlobs, type StoreChange } from "./new-blobs.js";
import { BRANCH, type Workspace } from "./workspace.js";

export interface LandOptions {
  workspace: Workspace;
  /** The tip the changes were planned on (undefined: an empty repository). */
  tip: string | undefined;
  changes: readonly StoreChange[];
  message: string;
}

export type LandOutcome =
  | { status: "landed"; commit: string }
  /** Another writer moved main first: plan again on the new tip. */
  | { status: "conflict"; detail: string }
  | { status: "refused"; detail: string };

/** Commits the changes on top of `tip` and moves main to the commit, unless main moved meanwhile. */
export function landCommit(options: LandOptions): Promise<LandOutcome> {
  const { inPlace } = options.workspace;
  return inPlace ? landInPlace(options, inPlace.objects) : landByPush(options);
}

/**
 * A local bare repository: every new object goes to a quarantine in its object directory, and
 * moves in only while main is locked at `tip`; any failure before that leaves the repository as it was.
 */
async function landInPlace(options: LandOptions, objects: string): Promise<LandOutcome> {
  try {
    return await landThroughQuarantine(options, await createQuarantine(objects));
  } catch (error) {
    // A repository skiff may not write to (permissions, a full or read-only disk) refuses, like a push would.
    if (error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === "string") {
      return { status: "refused", detail: error.message };
    }
    throw error;
  }
}

async function landThroughQuarantine(options: LandOptions, quarantine: Quarantine): Promise<LandOutcome> {
  const { workspace, tip } = options;
  const repo = workspace.dir;
  try {
    const { env } = quarantine;
    const changes = writeNewBlobs({ repo, changes: options.changes, scratch: quarantine.dir, env });
    const tree = await writeTreeWithChanges({ repo, base: tip, changes, env, scratch: quarantine.dir });
    const commit = await commitTree({ repo, tree, parent: tip, message: options.message, env });
    const updated = await updateRefLocked({
      repo,
      ref: `refs/heads/${BRANCH}`,
      value: commit,
      expected: tip,
      env,
      beforeCommit: () => migrateQuarantine(quarantine),
      signal: workspace.signal,
    });
    return updated.status === "updated" ? { status: "landed", commit } : updated;
  } finally {
    await removeQuarantine(quarantine);
  }
}

/** Any other repository: commit in the workspace, push without force. */
async function landByPush(options: LandOptions): Promise<LandOutcome> {
  const { workspace, tip } = options;
  const repo = workspace.dir;
  const changes = writeNewBlobs({ repo, changes: options.changes, scratch: repo });
  const tree = await writeTreeWithChanges({ repo, base: tip, changes });
  const commit = await commitTree({ repo, tree, parent: tip, message: options.message });
  const pushed = await pushCommit({
    repo,
    url: workspace.url,
    commit,
    branch: BRANCH,
    signal: workspace.signal,
  });
  return pushed.status === "pushed" ? { status: "landed", commit } : pushed;
}
