import { SkiffError } from "../errors/index.js";
import type { BlobStream } from "./blob-stream.js";
import { openCatFile, type CatFileSession } from "./cat-file-batch.js";
import type { ObjectReader } from "./object-reader.js";
import { parseTreeObject, type TreeObjectEntry } from "./tree-object.js";
import type { TreeEntry } from "./tree.js";

/** An ObjectReader over one `git cat-file --batch-command` session, with what it read kept by object id. */
export interface BatchReader extends ObjectReader {
  /** Ends the session; the next read opens a new one (after a fetch, so refs are read afresh). */
  renew(): void;
  /**
   * Starts the session the next renew() hands over, so git's start-up overlaps a fetch instead of
   * following it. A session that has read nothing yet loads no refs or object lists: it reads what
   * the fetch wrote as a session started after it would.
   */
  prepareRenew(): void;
  /** The commit `rev` names (a ref is read by this session: renew after the ref moved), or undefined. */
  resolveCommit(rev: string): Promise<string | undefined>;
  close(): void;
}

/** An object id, or a commit id: what such a name holds never changes, so it may be kept. */
const FIXED_NAME = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** Bounds on what is kept: the last few commits' listings, trees and small blobs. */
const KEEP_LISTINGS = 64;
const KEEP_OBJECTS = 4096;
const KEEP_BLOB_BYTES = 64 * 1024;

function keep<K, V>(map: Map<K, V>, key: K, value: V, limit: number): V {
  map.set(key, value);
  // Oldest first: a Map iterates in insertion order.
  for (const oldest of map.keys()) {
    if (map.size <= limit) break;
    map.delete(oldest);
  }
  return value;
}

export interface BatchReaderOptions {
  /**
   * Fetches objects the repository does not have (a partial mirror: blobs it was not sent), all in
   * one request. Without it a missing blob is listed without a size and cannot be read.
   */
  fetchMissing?: (objects: readonly string[]) => Promise<void>;
  /**
   * Which missing blobs a listing fetches before it answers (one request for all of them), so they
   * are listed with their sizes: a partial mirror's metadata files above its filter. The others
   * stay missing until ensureObjects or a read asks for them.
   */
  fetchListed?: (path: string) => boolean;
}

export function createBatchReader(repo: string, options: BatchReaderOptions = {}): BatchReader {
  let session: CatFileSession | undefined;
  /** Started by prepareRenew, unread until renew() makes it the session. */
  let spare: CatFileSession | undefined;
  const listings = new Map<string, Promise<TreeEntry[]>>();
  const trees = new Map<string, Promise<TreeObjectEntry[]>>();
  const roots = new Map<string, Promise<string>>();
  const sizes = new Map<string, number>();
  const blobs = new Map<string, Buffer>();
  const open = (): CatFileSession => {
    if (session?.isOpen() !== true) session = openCatFile(repo);
    return session;
  };
  // Failures are not kept: the next read asks git again.
  const remember = <V>(map: Map<string, Promise<V>>, key: string, read: () => Promise<V>): Promise<V> => {
    const known = map.get(key);
    if (known) return known;
    const value = keep(map, key, read(), map === listings ? KEEP_LISTINGS : KEEP_OBJECTS);
    value.catch(() => map.get(key) === value && map.delete(key));
    return value;
  };
  const readTree = (object: string): Promise<TreeObjectEntry[]> =>
    remember(trees, object, async () =>
      parseTreeObject(await open().contents(object, { type: "tree" }), object.length / 2),
    );
  // Undefined for an object the repository does not have (never kept: a fetch may bring it).
  const objectSize = async (object: string): Promise<number | undefined> => {
    const known = sizes.get(object);
    if (known !== undefined) return known;
    const header = await open().info(object);
    return header === undefined ? undefined : keep(sizes, object, header.size, KEEP_OBJECTS);
  };
  const ensureObjects = async (objects: readonly string[]): Promise<void> => {
    const found = await Promise.all(objects.map(objectSize));
    const absent = objects.filter((_, index) => found[index] === undefined);
    if (absent.length > 0 && options.fetchMissing) await options.fetchMissing([...new Set(absent)]);
  };
  const blobSize = async (object: string): Promise<number> => {
    let size = await objectSize(object);
    if (size === undefined && options.fetchMissing) {
      await ensureObjects([object]);
      size = await objectSize(object);
    }
    if (size === undefined) throw missing(object);
    return size;
  };
  const walk = async (tree: string, prefix: string): Promise<TreeEntry[]> => {
    // Asked all at once: the session answers in order, without a round trip per entry.
    const parts = await Promise.all(
      (await readTree(tree)).map(async (entry): Promise<TreeEntry[]> => {
        const path = `${prefix}${entry.name}`;
        if (entry.type === "tree") return walk(entry.object, `${path}/`);
        // A blob a partial mirror was not sent is listed without a size (as ls-tree -l says BAD).
        const size = entry.type === "blob" ? await objectSize(entry.object) : undefined;
        return [{ mode: entry.mode, type: entry.type, object: entry.object, size, path }];
      }),
    );
    return parts.flat();
  };
  const rootTree = async (rev: string): Promise<string> => {
    const root = await open().info(`${rev}^{tree}`);
    if (root === undefined) throw missing(rev);
    return root.object;
  };
  const list = async (rev: string, path: string | undefined): Promise<TreeEntry[]> => {
    const root = {
      object: FIXED_NAME.test(rev) ? await remember(roots, rev, () => rootTree(rev)) : await rootTree(rev),
    };
    const parts = (path ?? "").split("/").filter((part) => part.length > 0);
    if (parts.length === 0) return walk(root.object, "");
    // ls-tree -- <path>: the file at path, or everything under the folder at path.
    let tree = root.object;
    for (const [index, name] of parts.entries()) {
      const entry = (await readTree(tree)).find((e) => e.name === name);
      const here = parts.slice(0, index + 1).join("/");
      if (entry === undefined) return [];
      if (entry.type === "tree") {
        tree = entry.object;
        continue;
      }
      if (index < parts.length - 1 || path?.endsWith("/")) return [];
      const size = entry.type === "blob" ? await objectSize(entry.object) : undefined;
      return [{ mode: entry.mode, type: entry.type, object: entry.object, size, path: here }];
    }
    return walk(tree, `${parts.join("/")}/`);
  };
  const completeListing = async (entries: TreeEntry[]): Promise<TreeEntry[]> => {
    const { fetchListed } = options;
    const wanted = entries.filter(
      (e) => e.type === "blob" && e.size === undefined && fetchListed?.(e.path) === true,
    );
    if (wanted.length === 0) return entries;
    await ensureObjects(wanted.map((entry) => entry.object));
    return Promise.all(
      entries.map(async (e) => (wanted.includes(e) ? { ...e, size: await objectSize(e.object) } : e)),
    );
  };
  const listTree = (rev: string, path?: string): Promise<TreeEntry[]> => {
    const read = async (): Promise<TreeEntry[]> => completeListing(await list(rev, path));
    const key = `${rev}\0${path ?? ""}`;
    const listed = FIXED_NAME.test(rev) ? remember(listings, key, read) : read();
    return listed.then((entries) => {
      // A listing with blobs still missing is not kept: once fetched, they have sizes.
      if (entries.some((e) => e.type === "blob" && e.size === undefined) && listings.get(key) === listed)
        listings.delete(key);
      return [...entries];
    });
  };
  const readBlobBytes = async (object: string, maxBytes: number): Promise<Buffer> => {
    const known = blobs.get(object);
    const size = known?.length ?? (await blobSize(object));
    if (size > maxBytes) {
      throw new SkiffError("ERR_SKIFF_SIZE_MISMATCH", `blob ${object} is larger than ${maxBytes} bytes`, {
        hint: "the deployment repository holds a file larger than skiff accepts; store the release again",
        data: { max: maxBytes },
      });
    }
    if (known) return Buffer.from(known);
    const bytes = await open().contents(object, { type: "blob", size });
    if (size <= KEEP_BLOB_BYTES && FIXED_NAME.test(object))
      keep(blobs, object, Buffer.from(bytes), KEEP_OBJECTS);
    return bytes;
  };
  // The next read opens a new session (or takes the spare): after a fetch (renew) or never (close).
  const endSession = (): void => {
    session?.close();
    session = undefined;
  };
  const renew = (): void => {
    endSession();
    if (spare?.isOpen() === true) session = spare;
    spare = undefined;
  };
  return {
    listTree,
    async readFileAt(rev, path) {
      const wanted = path
        .split("/")
        .filter((part) => part.length > 0)
        .join("/");
      try {
        const entry = (await listTree(rev, path)).find((e) => e.path === wanted && e.type === "blob");
        if (entry === undefined) return undefined;
        return (await readBlobBytes(entry.object, Number.MAX_SAFE_INTEGER)).toString("utf8");
      } catch {
        // As `git cat-file blob rev:path`: whatever fails reads as no such file.
        return undefined;
      }
    },
    readBlobBytes,
    ensureObjects,
    resolveCommit: async (rev) => (await open().info(`${rev}^{commit}`))?.object,
    openBlobStream: (object): BlobStream => open().stream(object, { type: "blob" }),
    renew,
    prepareRenew: () => {
      if (spare?.isOpen() !== true) spare = openCatFile(repo);
    },
    close: () => {
      endSession();
      spare?.close();
      spare = undefined;
    },
  };
}

function missing(name: string): SkiffError {
  return new SkiffError("ERR_SKIFF_GIT", `${name} is not in the repository`, {
    hint: "check that the repository exists and that you may read it",
  });
}
