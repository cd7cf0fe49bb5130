import { SkiffError } from "../errors/index.js";
import { dropUnreachableObjects, expireReflogs, readRef, updateRefLocked } from "../git/index.js";
import { BRANCH } from "./workspace.js";

const REF = `refs/heads/${BRANCH}`;

/**
 * Removes the objects nothing reaches any more (the history a gc replaced), while main's lock is
 * held: a store in flight cannot move its objects in and its ref until the repack is done (it
 * retries, as after any race), so nothing it wrote is taken for garbage.
 */
export async function pruneRepository(repo: string, objects: string, attempts = 5): Promise<void> {
  // Before the lock: expiring a ref's reflog takes that ref's lock.
  await expireReflogs(repo);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const tip = await readRef(repo, REF);
    if (tip === undefined) return dropUnreachableObjects(repo, objects);
    // main is locked at its value and written back unchanged.
    const held = await updateRefLocked({
      repo,
      ref: REF,
      value: tip,
      expected: tip,
      beforeCommit: () => dropUnreachableObjects(repo, objects),
    });
    if (held.status === "updated") return;
    if (held.status === "refused") {
      throw new SkiffError("ERR_SKIFF_STORE_FAILED", `cannot lock main of ${repo} to remove old objects`, {
        hint: "check that you may write to the repository's refs/",
        data: { detail: held.detail },
      });
    }
  }
  throw new SkiffError(
    "ERR_SKIFF_STORE_CONFLICT",
    `main of ${repo} kept moving: old objects are not removed yet`,
    {
      hint: "run skiff gc again; it removes them without rewriting anything new",
    },
  );
}
