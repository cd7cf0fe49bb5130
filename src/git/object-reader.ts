import { openBlobStream, type BlobStream } from "./blob-stream.js";
import { readBlobBytes } from "./read-blob.js";
import { listTree, readFileAt, type TreeEntry } from "./tree.js";

/**
 * The reads the agent makes of one repository's objects, answered the same way by one process per
 * read (createProcessReader) or by one long-lived cat-file session (createBatchReader).
 */
export interface ObjectReader {
  /** Every entry under `path` at `rev`, recursively, as `git ls-tree -r -l <rev> -- <path>` lists them. */
  listTree(rev: string, path?: string): Promise<TreeEntry[]>;
  /** The text of a file at `rev`, or undefined when it does not exist there. */
  readFileAt(rev: string, path: string): Promise<string | undefined>;
  /** A blob's bytes; more than `maxBytes` is refused. */
  readBlobBytes(object: string, maxBytes: number): Promise<Buffer>;
  /** Streams a blob's bytes without holding them in memory. */
  openBlobStream(object: string): BlobStream;
  /**
   * Makes sure these objects are here before they are read: a partial mirror fetches the missing
   * ones in one request (a reader of a complete repository has nothing to do and may omit it).
   */
  ensureObjects?(objects: readonly string[]): Promise<void>;
}

/** One git process per read: for callers that read once (the CLI, the store). */
export function createProcessReader(repo: string): ObjectReader {
  return {
    listTree: (rev, path) => listTree(repo, rev, path),
    readFileAt: (rev, path) => readFileAt(repo, rev, path),
    readBlobBytes: (object, maxBytes) => readBlobBytes(repo, object, maxBytes),
    openBlobStream: (object) => openBlobStream(repo, object),
  };
}
