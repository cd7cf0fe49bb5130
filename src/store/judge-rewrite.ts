import { SkiffError } from "../errors/index.js";
import {
  commitsWithTree,
  isAncestor,
  listPaths,
  readFileAt,
  resolveCommit,
  writeTreeWithChanges,
} from "../git/index.js";
import type { TrustPolicy } from "../trust/index.js";
import { GC_RECORD_PATH, readGcRecord, type GcRecord } from "./gc-record.js";
import { imageOf } from "./release-images.js";

export interface JudgeRewriteOptions {
  mirror: string;
  /** The mirror's tip: what this host followed last. */
  previous: string;
  /** The remote's tip, which does not descend from `previous`. */
  incoming: string;
  /** The host's --trust policy: the gc record must be signed by its keys. */
  trust?: TrustPolicy;
}

/**
 * Whether a remote tip that does not descend from the mirror's may be followed; throws
 * ERR_SKIFF_HISTORY_REWRITTEN when not. Accepted:
 * - a rewind (the remote went back to a commit the mirror has): the trust gate judges the pointers
 *   it holds, as before (a signed host refuses a lower sequence);
 * - a gc's rewrite: the new history holds a valid gc record (signed, on a host with --trust) newer
 *   than the mirror's tip holds, and one of its commits has exactly the mirror's tip's tree without
 *   the images the record says were collected, so nothing but those images changed. When the
 *   mirror's own objects went with the rewrite (a local repository's, borrowed), the record must
 *   name the mirror's tip among the tips it replaced.
 */
export async function judgeRewrite(options: JudgeRewriteOptions): Promise<void> {
  const { mirror, previous, incoming } = options;
  if (await isAncestor(mirror, incoming, previous)) return;
  const text = await readFileAt(mirror, incoming, GC_RECORD_PATH);
  if (text === undefined) throw rewritten(options, "without a gc record");
  const record = readGcRecord(Buffer.from(text, "utf8"), options.trust ? { trust: options.trust } : {});
  if ((await resolveCommit(mirror, previous)) !== undefined) {
    // Only a gc rewrites: the record must be newer than the one this host followed.
    if (record.sequence <= (await recordSequence(mirror, previous)))
      throw rewritten(options, "without a new gc record");
    if (await holdsTreeOf(mirror, previous, incoming, record)) return;
    throw rewritten(options, "in a way its gc record does not account for");
  }
  if (record.replacedTips.includes(previous) && (await isAncestor(mirror, record.rewrittenTip, incoming)))
    return;
  throw rewritten(options, "and this host's tip is gone from it");
}

/** The sequence of the gc record at `commit` (0 when it has none, or one that does not parse). */
async function recordSequence(mirror: string, commit: string): Promise<number> {
  const text = await readFileAt(mirror, commit, GC_RECORD_PATH);
  if (text === undefined) return 0;
  try {
    return readGcRecord(Buffer.from(text, "utf8")).sequence;
  } catch {
    return 0;
  }
}

/** True when a commit of `tip`'s history has `commit`'s tree without the record's collected images. */
async function holdsTreeOf(mirror: string, commit: string, tip: string, record: GcRecord): Promise<boolean> {
  const collected = (path: string): boolean => {
    const image = imageOf(path);
    return image !== undefined && (record.collected[image.app] ?? []).includes(image.release);
  };
  const gone = (await listPaths(mirror, commit)).filter(collected);
  // The tree is written from the trees alone: a partial mirror has not got every blob it names.
  const tree = await writeTreeWithChanges({
    repo: mirror,
    base: commit,
    changes: gone.map((path) => ({ path, remove: true as const })),
    missingOk: true,
  });
  return (await commitsWithTree(mirror, tip, tree)).length > 0;
}

function rewritten(options: JudgeRewriteOptions, how: string): SkiffError {
  return new SkiffError(
    "ERR_SKIFF_HISTORY_REWRITTEN",
    `the deployment repository's main was rewritten ${how}: it no longer holds ${options.previous.slice(0, 12)}, which this host followed`,
    {
      hint: "this host keeps serving what it runs; if the rewrite is deliberate, stop the agent, remove <data>/mirror.git and start it again",
      data: { previous: options.previous, incoming: options.incoming },
    },
  );
}
