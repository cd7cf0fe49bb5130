import type { TreeEntry } from "./tree.js";

/** One entry of a raw tree object: what `ls-tree` prints, without the blob size. */
export type TreeObjectEntry = Omit<TreeEntry, "size" | "path"> & { name: string };

/** Parses a raw tree object (`<mode> <name>\0<binary id>` repeated) as git stores it. */
export function parseTreeObject(bytes: Buffer, idBytes = 20): TreeObjectEntry[] {
  const entries: TreeObjectEntry[] = [];
  let at = 0;
  while (at < bytes.length) {
    const space = bytes.indexOf(0x20, at);
    const nul = bytes.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + idBytes > bytes.length) throw new Error("truncated tree object");
    const rawMode = bytes.toString("latin1", at, space);
    // git stores trees as 40000; ls-tree prints 040000, and so do we.
    const mode = rawMode.padStart(6, "0");
    entries.push({
      mode,
      type: mode === "040000" ? "tree" : mode === "160000" ? "commit" : "blob",
      object: bytes.toString("hex", nul + 1, nul + 1 + idBytes),
      name: bytes.toString("utf8", space + 1, nul),
    });
    at = nul + 1 + idBytes;
  }
  return entries;
}
