import { commitTree, writeTreeWithChanges } from "../git/index.js";
import { describeReleases } from "./describe-releases.js";
import { GC_RECORD_PATH, encodeGcRecord, type GcRecord, type GcRecordSigner } from "./gc-record.js";
import { writeNewBlobs } from "./new-blobs.js";

/**
 * The commit a gc puts on top of the rewritten history (`record.rewrittenTip`): its tree with the
 * gc record, a message saying what went and what stayed. Written into `repo` (the gc's scratch
 * repository); returns its id.
 */
export async function commitGcRecord(options: {
  repo: string;
  record: GcRecord;
  /** Per app, the releases this gc collected (the record lists every gc's). */
  collected: Record<string, number[]>;
  sign?: GcRecordSigner;
}): Promise<string> {
  const { repo, record } = options;
  const changes = await writeNewBlobs({
    repo,
    changes: [{ path: GC_RECORD_PATH, text: encodeGcRecord(record, options.sign), mode: "100644" }],
    scratch: repo,
  });
  const tree = await writeTreeWithChanges({ repo, base: record.rewrittenTip, changes, scratch: repo });
  const lines = Object.entries(options.collected).map(
    ([app, releases]) =>
      `${app}: images of releases ${describeReleases(releases)} removed; kept ${describeReleases(record.kept[app] ?? [])}`,
  );
  const subject = Object.entries(options.collected)
    .map(([app, releases]) => `${app} ${describeReleases(releases)}`)
    .join("; ");
  const message = `gc: removed the images of ${subject}\n\n${lines.join("\n")}\n\nSkiff-Gc-Previous-Tip: ${record.previousTip}\n`;
  return commitTree({ repo, tree, parent: record.rewrittenTip, message });
}
