import { createHash } from "node:crypto";
import { SkiffError } from "../errors/index.js";
import type { AppState } from "./app-state.js";
import { pointerPath, tombstonePath } from "./layout.js";
import type { NewBlobChange, StoreChange } from "./new-blobs.js";
import type { PointerName, ReleaseSigner } from "./types.js";

export interface PointerChangesOptions {
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
 * The tree changes that move a pointer: the sequence file, the signed record, then the pointer.
 * An app whose pointers are signed stays signed: an unsigned change is refused, not written.
 * A pointer written for a destroyed app brings it back: its tombstone goes in the same commit.
 */
export async function pointerChanges(options: PointerChangesOptions): Promise<StoreChange[]> {
  const { state, pointer } = options;
  const recordPath = `${pointerPath(state.app, pointer)}.json`;
  const blob = (path: string, text: string): NewBlobChange => ({ path, text, mode: "100644" });
  const changes = [blob(pointerPath(state.app, "sequence"), `${options.sequence}\n`)];
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
    changes.push(blob(recordPath, await options.sign.encodePointer(record)));
  } else {
    refuseUnsignedChange(state, pointer);
  }
  // The pointer comes last: it names a release whose files are already in this commit.
  changes.push(blob(pointerPath(state.app, pointer), `${options.release}\n`));
  const tombstone = tombstonePath(state.app);
  if (!state.entries.some((entry) => entry.path === tombstone)) return changes;
  return [...changes, { path: tombstone, remove: true }];
}

/**
 * An unsigned change in an app with signed pointer records would be refused by every agent that
 * trusts the key (and would leave a record naming another release): refuse it here, before a commit.
 */
function refuseUnsignedChange(state: AppState, pointer: PointerName): void {
  const signed = state.entries
    .map((entry) => entry.path)
    .filter((path) => path === `${state.app}/current.json` || path === `${state.app}/staging.json`);
  if (signed.length === 0) return;
  throw new SkiffError(
    "ERR_SKIFF_KEY_REQUIRED",
    `${state.app} has signed pointer records (${signed.join(", ")}); moving ${pointer} without a signing key would write an unsigned ${pointer}`,
    {
      hint: "pass the signing key the agents trust with --key F (skiff store, rollback, promote, config:set)",
      data: { app: state.app, records: signed },
    },
  );
}
