import { listTree, openCatFile, readFileAt, type CatFileSession, type TreeEntry } from "../git/index.js";
import {
  MANIFEST_MAX_BYTES,
  POINTER_MAX_BYTES,
  manifestPath,
  parsePointer,
  parseSequence,
  pointerPath,
  releaseNumbers,
  tombstonePath,
} from "./layout.js";

/** A tombstone is a line of JSON; anything larger is not one skiff wrote. */
const TOMBSTONE_MAX_BYTES = 1024;

/** What the deployment repository says about one app at one commit. */
export interface AppState {
  app: string;
  /** Releases that have a manifest, ascending. */
  releases: number[];
  /** The raw pointer texts (undefined when the file is missing); validate with parsePointer. */
  currentText?: string;
  stagingText?: string;
  /** `<app>/destroyed` (skiff apps:destroy), when the app was destroyed. */
  tombstoneText?: string;
  /** The app's sequence counter: the sequence file, or the highest manifest sequence when it is missing. */
  sequence: number;
  /** Every file under <app>/ (for removing release folders and reading manifests). */
  entries: TreeEntry[];
}

/** A small regular file's text at `rev`, or undefined when missing, not a regular file, or too large. */
export async function readSmallFile(options: {
  repo: string;
  rev: string;
  entries: readonly TreeEntry[];
  path: string;
  maxBytes: number;
}): Promise<string | undefined> {
  const entry = options.entries.find((e) => e.path === options.path);
  if (!entry || !isRegularFile(entry) || (entry.size ?? Infinity) > options.maxBytes) return undefined;
  return readFileAt(options.repo, options.rev, options.path);
}

export function isRegularFile(entry: TreeEntry): boolean {
  return entry.type === "blob" && (entry.mode === "100644" || entry.mode === "100755");
}

/** Reads one app's releases, pointers and sequence at `rev` (undefined rev: an empty repository). */
export async function readAppState(repo: string, rev: string | undefined, app: string): Promise<AppState> {
  if (rev === undefined) return { app, releases: [], sequence: 0, entries: [] };
  const entries = await listTree(repo, rev, `${app}/`);
  const releases = releaseNumbers(entries, app);
  // The pointers and the counter through one git process.
  const session = openCatFile(repo);
  try {
    const [sequenceText, currentText, stagingText] = await readSmallFiles(
      session,
      entries,
      (["sequence", "current", "staging"] as const).map((name) => pointerPath(app, name)),
      POINTER_MAX_BYTES,
    );
    const [tombstoneText] = await readSmallFiles(session, entries, [tombstonePath(app)], TOMBSTONE_MAX_BYTES);
    let sequence = sequenceText === undefined ? undefined : parseSequence(sequenceText);
    if (sequence === undefined) {
      const paths = releases.map((n) => manifestPath(app, n));
      sequence = highestManifestSequence(await readSmallFiles(session, entries, paths, MANIFEST_MAX_BYTES));
    }
    return { app, releases, currentText, stagingText, tombstoneText, sequence, entries };
  } finally {
    session.close();
  }
}

/** The texts of small regular files of a tree listing, in order (undefined: missing, not a file, too large). */
function readSmallFiles(
  session: CatFileSession,
  entries: readonly TreeEntry[],
  paths: readonly string[],
  maxBytes: number,
): Promise<(string | undefined)[]> {
  return Promise.all(
    paths.map(async (path) => {
      const entry = entries.find(
        (e) => e.path === path && isRegularFile(e) && (e.size ?? Infinity) <= maxBytes,
      );
      if (!entry) return undefined;
      const bytes = await session.contents(entry.object, {
        type: "blob",
        ...(entry.size === undefined ? {} : { size: entry.size }),
      });
      return bytes.toString("utf8");
    }),
  );
}

/** The highest `sequence` over manifests (for repositories written before the sequence file existed). */
function highestManifestSequence(manifestTexts: readonly (string | undefined)[]): number {
  let highest = 0;
  for (const text of manifestTexts) {
    try {
      const value: unknown = JSON.parse(text ?? "{}");
      const sequence = (value as { sequence?: unknown }).sequence;
      if (typeof sequence === "number" && Number.isSafeInteger(sequence))
        highest = Math.max(highest, sequence);
    } catch {
      // An unreadable manifest says nothing about the counter.
    }
  }
  return highest;
}

/** The highest release an app ever had, as its tombstone remembers it (its folders may be purged). */
export function tombstoneRelease(text: string | undefined): number {
  try {
    const last = (JSON.parse(text ?? "{}") as { lastRelease?: unknown }).lastRelease;
    return typeof last === "number" && Number.isSafeInteger(last) && last > 0 ? last : 0;
  } catch {
    return 0;
  }
}

/** The release a pointer names, if its text is valid. */
export function pointerRelease(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parsePointer(text);
}
