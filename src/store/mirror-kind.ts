import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * How a mirror of a remote deployment repository holds it. "partial": every commit, tree and small
 * file (manifests, pointers, records), and the images of the releases this host read; the rest stay
 * on the server until read (fetched by id, all of a release's at once). "full": everything, as
 * mirrors made before partial ones were.
 */
export type MirrorKind = "partial" | "full";

/** The filter of a partial mirror's fetches: blobs of 128 KiB and more wait until they are read. */
export const PARTIAL_FILTER = "blob:limit=128k";

/** Settings every git process that walks a partial mirror's objects needs (repack, gc, fsck). */
export const PARTIAL_CONFIG: readonly string[] = ["remote.origin.promisor=true"];

/** Written in the mirror's git directory; git ignores it. */
const MARKER = "skiff-mirror.json";

/** The mirror's kind and, for a partial one, the filter it was made with. */
export async function readMirrorKind(mirror: string): Promise<{ kind: MirrorKind; filter: string }> {
  const text = await readFile(join(mirror, MARKER), "utf8").catch(() => undefined);
  let value: { kind?: unknown; filter?: unknown } = {};
  try {
    value = text === undefined ? {} : (JSON.parse(text) as typeof value);
  } catch {
    // A damaged marker: the mirror is followed as a full one, which works whatever it holds.
  }
  const filter = typeof value.filter === "string" && /^blob:(none|limit=[0-9]+[kmg]?)$/.test(value.filter);
  return value.kind === "partial"
    ? { kind: "partial", filter: filter ? (value.filter as string) : PARTIAL_FILTER }
    : { kind: "full", filter: "" };
}

export async function writeMirrorKind(mirror: string, kind: MirrorKind): Promise<void> {
  await writeFile(join(mirror, MARKER), JSON.stringify({ kind, filter: PARTIAL_FILTER }) + "\n");
}
