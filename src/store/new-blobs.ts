import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hashFiles, type TreeChange } from "../git/index.js";

type Mode = "100644" | "100755";

/** A tree change whose blob is not written yet: a text, or the bytes of a file. */
export type NewBlobChange =
  { path: string; mode: Mode; text: string } | { path: string; mode: Mode; file: string };

/** What a commit plan changes: existing objects, removals and new blobs. */
export type StoreChange = TreeChange | NewBlobChange;

/**
 * Writes the blobs of every new file (texts go through scratch files) with one git process and
 * returns plain tree changes; `env` may point git at a quarantine.
 */
export async function writeNewBlobs(options: {
  repo: string;
  changes: readonly StoreChange[];
  /** A folder for the texts' scratch files. */
  scratch: string;
  env?: NodeJS.ProcessEnv;
}): Promise<TreeChange[]> {
  const fresh = options.changes.filter(
    (change): change is NewBlobChange => "text" in change || "file" in change,
  );
  if (fresh.length === 0) return options.changes as TreeChange[];
  const dir = await mkdtemp(join(options.scratch, "blobs-"));
  try {
    const paths = await Promise.all(
      fresh.map(async (change, i) => {
        if ("file" in change) return change.file;
        const path = join(dir, String(i));
        await writeFile(path, change.text);
        return path;
      }),
    );
    const objects = await hashFiles(options.repo, paths, options.env);
    return options.changes.map((change) => {
      const at = fresh.indexOf(change as NewBlobChange);
      return at < 0
        ? (change as TreeChange)
        : { path: change.path, object: objects[at]!, mode: fresh[at]!.mode };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
