import { readdirSync, readFileSync, type Dirent } from "node:fs";
import { join } from "node:path";

/**
 * Ref advertisements (what `git upload-pack --advertise-refs` prints, the first answer of every
 * fetch) kept per repository and protocol until the repository's refs change. A follower's poll
 * and a fetch's first request are then answered without starting git; after a store the server
 * makes the new one ahead of the followers it tells (warm), so their fetches find it ready.
 *
 * Whether the refs changed is read from the files upload-pack reads (HEAD, config, packed-refs,
 * shallow, everything under refs/), not from who wrote them: a ref moved by another process (a
 * `skiff rollback`, git by hand) is seen on the next request all the same.
 */
export interface AdvertisementCache {
  /** The advertisement for the repository as it is now: kept, or made by `make` and kept. */
  get(key: AdvertisementKey, make: () => Promise<Buffer>): Promise<Buffer>;
  /** Makes and keeps the advertisement now, unless the kept one is current; never throws. */
  warm(key: AdvertisementKey, make: () => Promise<Buffer>): void;
}

export interface AdvertisementKey {
  /** The bare repository. */
  dir: string;
  /** What else the advertisement depends on: the client's Git-Protocol, upload-pack's settings. */
  variant: string;
}

interface Kept {
  refs: string;
  advertisement: Promise<Buffer>;
}

export function createAdvertisementCache(): AdvertisementCache {
  const kept = new Map<string, Kept>();
  const get = async (key: AdvertisementKey, make: () => Promise<Buffer>): Promise<Buffer> => {
    const id = `${key.dir}\0${key.variant}`;
    // Read before git reads them: a change made meanwhile only makes the next request ask again.
    const refs = readRefFiles(key.dir);
    const known = kept.get(id);
    if (known?.refs === refs) return known.advertisement;
    const advertisement = make();
    const entry = { refs, advertisement };
    kept.set(id, entry);
    // A failure is not kept: the next request asks git again.
    advertisement.catch(() => kept.get(id) === entry && kept.delete(id));
    return advertisement;
  };
  return {
    get,
    warm: (key, make) => void get(key, make).catch(() => undefined),
  };
}

/**
 * The files whose content decides a repository's ref advertisement, read into one string. Read
 * synchronously: a handful of small files costs less than the event-loop turns of async reads,
 * which a busy server (a deploy in the same process) makes long.
 */
function readRefFiles(dir: string): string {
  const parts: string[] = [];
  const add = (path: string): void => {
    parts.push(path, readOrEmpty(join(dir, path)));
  };
  const walk = (folder: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(dir, folder), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else add(path);
    }
  };
  for (const file of ["HEAD", "config", "packed-refs", "shallow"]) add(file);
  walk("refs");
  return parts.join("\0");
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return "";
  }
}
