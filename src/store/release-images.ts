import { SkiffError } from "../errors/index.js";
import type { TreeEntry } from "../git/index.js";
import { APP_NAME_PATTERN } from "../config/index.js";
import { MANIFEST_FILE, parsePointer, releaseDir } from "./layout.js";
import { STAGE_RECORD_FILE } from "./stage-record-schema.js";

/**
 * The files of a release folder that are not its images: what a gc leaves in every commit (the
 * manifest, the stage verdict). Everything else in `<app>/releases/<N>/` is an image file.
 */
const RELEASE_METADATA: ReadonlySet<string> = new Set([MANIFEST_FILE, STAGE_RECORD_FILE]);

/** The app and release whose image file `path` is; undefined for any other path. */
export function imageOf(path: string): { app: string; release: number } | undefined {
  const [app, releases, folder, file, ...deeper] = path.split("/");
  if (app === undefined || !APP_NAME_PATTERN.test(app) || releases !== "releases") return undefined;
  const release = parsePointer(folder ?? "");
  if (release === undefined || file === undefined) return undefined;
  if (deeper.length === 0 && RELEASE_METADATA.has(file)) return undefined;
  return { app, release };
}

/**
 * True when the release folder in `entries` (a listing of the app or the folder) holds its manifest
 * and no image: `skiff gc` collected it, and it can no longer be deployed.
 */
export function isCollected(entries: readonly TreeEntry[], app: string, release: number): boolean {
  const prefix = `${releaseDir(app, release)}/`;
  const files = entries.filter((entry) => entry.path.startsWith(prefix));
  return (
    files.some((entry) => entry.path === `${prefix}${MANIFEST_FILE}`) && !files.some((e) => imageOf(e.path))
  );
}

/** What deploying, or pointing at, a collected release says. */
export function releaseCollectedError(app: string, release: number): SkiffError {
  return new SkiffError(
    "ERR_SKIFF_RELEASE_COLLECTED",
    `${app} release ${release} can no longer be deployed: skiff gc removed its images (its manifest is kept)`,
    {
      hint: `pick a release that kept its images: skiff releases ${app} --repo R lists them`,
      data: { app, release },
    },
  );
}
