import {
  createBatchReader,
  fetchObjects,
  isRemoteUrl,
  tidyRepository,
  type BatchReader,
} from "../git/index.js";
import { PARTIAL_CONFIG, readMirrorKind } from "./mirror-kind.js";
import { imageOf } from "./release-images.js";

/**
 * The agent's reader of its mirror (one cat-file session): a blob the mirror was not sent (a
 * partial mirror's image) is fetched from `url` when read, every missing file of a release in one
 * request (unpackRelease asks ensureObjects first); any other file is fetched with the listing that
 * names it. The mirror itself never fetches on its own.
 */
export function createMirrorReader(options: { mirror: string; url: string }): BatchReader {
  if (!isRemoteUrl(options.url)) return createBatchReader(options.mirror);
  return createBatchReader(options.mirror, {
    fetchMissing: (objects) => fetchObjects({ repo: options.mirror, url: options.url, objects }),
    // A manifest or record above the filter (rare: most are a few KB) is fetched with its listing.
    fetchListed: (path) => imageOf(path) === undefined,
  });
}

/** git's automatic maintenance of a mirror; a partial one's needs its promisor remote named. */
export async function tidyMirror(mirror: string): Promise<void> {
  const { kind } = await readMirrorKind(mirror);
  await tidyRepository(mirror, kind === "partial" ? PARTIAL_CONFIG : []);
}
