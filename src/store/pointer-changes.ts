import { createHash } from "node:crypto";
import { SkiffError } from "../errors/index.js";
import { hashText, type TreeChange } from "../git/index.js";
import type { AppState } from "./app-state.js";
import { pointerPath } from "./layout.js";
import type { PointerName, ReleaseSigner } from "./types.js";

export interface PointerChangesOptions {
  /** The workspace repository the blobs are written to. */
  repo: string;
  state: AppState;
  pointer: PointerName;
  release: number;
  sequence: number;
  /** The exact text of the release's manifest.json (the signed record binds to its sha256). */
  manifestText: string | undefined;
  sign?: ReleaseSigner;
  expires?: string;
  now: Date;
}

/**
 * The tree changes that move a pointer: the sequence file, the signed record (or removal of a
 * stale one: an unsigned change must not leave a record naming another release), then the pointer.
 */
export async function pointerChanges(options: PointerChangesOptions): Promise<TreeChange[]> {
  const { repo, state, pointer } = options;
  const recordPath = `${pointerPath(state.app, pointer)}.json`;
  const blob = async (path: string, text: string): Promise<TreeChange> => ({
    path,
    object: await hashText(repo, text),
    mode: "100644",
  });
  const changes = [await blob(pointerPath(state.app, "sequence"), `${options.sequence}\n`)];
  if (options.sign) {
    if (options.manifestText === undefined) {
      throw new SkiffError(
        "ERR_SKIFF_MANIFEST_INVALID",
        `${state.app} release ${options.release} has no readable manifest.json`,
        {
          hint: "store the release again, then sign its pointer",
        },
      );
    }
    const record = {
      app: state.app,
      pointer,
      release: options.release,
      sequence: options.sequence,
      manifestSha256: createHash("sha256").update(options.manifestText, "utf8").digest("hex"),
      created: options.now.toISOString(),
      ...(options.expires ? { expires: options.expires } : {}),
    };
    changes.push(await blob(recordPath, await options.sign.encodePointer(record)));
  } else if (state.entries.some((entry) => entry.path === recordPath)) {
    changes.push({ path: recordPath, remove: true });
  }
  // The pointer comes last: it names a release whose files are already in this commit.
  changes.push(await blob(pointerPath(state.app, pointer), `${options.release}\n`));
  return changes;
}
