import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { SkiffError, classifyProgramFault, isSkiffError } from "../errors/index.js";
import {
  borrowObjects,
  fetchMirror,
  forceRef,
  initBare,
  inspectLocalRepository,
  isAncestor,
  isRemoteUrl,
  readRef,
  redactUrl,
  type LocalRepository,
} from "../git/index.js";
import type { TrustPolicy } from "../trust/index.js";
import { judgeRewrite } from "./judge-rewrite.js";
import { readMirrorKind, writeMirrorKind } from "./mirror-kind.js";
import { BRANCH } from "./workspace.js";

export interface SyncMirrorOptions {
  /** The deployment repository: a local path or git URL. */
  url: string;
  /** A local bare repository that keeps a copy (created on first use). */
  mirror: string;
  signal?: AbortSignal;
  /** The remote branch to follow (default main; a 2015 repository used master). The mirror keeps it as main. */
  branch?: string;
  /** Reads the fetched ref through the caller's cat-file session instead of a rev-parse. */
  readRef?: (ref: string) => Promise<string | undefined>;
  /** False: git's automatic maintenance is left to the caller (see FetchBranchOptions). */
  autoMaintenance?: boolean;
  /**
   * A mirror of a remote repository created now is partial (mirror-kind.ts): its images are
   * fetched when read, through a reader from createMirrorReader. An existing mirror keeps its kind.
   */
  partial?: boolean;
  /** The host's --trust policy: a rewritten main is followed only with a gc record signed by its keys. */
  trust?: TrustPolicy;
}

const REF = `refs/heads/${BRANCH}`;
/** Where a fetched tip that does not descend from main waits to be judged (judge-rewrite.ts). */
const INCOMING = "refs/skiff/incoming";

/**
 * Fetches the deployment repository's main into the mirror; returns its commit, or undefined while
 * main does not exist. main moves forward, back (a rewind: the trust gate judges it) or to a gc's
 * rewrite; any other rewrite is refused with ERR_SKIFF_HISTORY_REWRITTEN and main stays.
 */
export async function syncMirror(options: SyncMirrorOptions): Promise<string | undefined> {
  const local = isRemoteUrl(options.url)
    ? undefined
    : await inspectLocalRepository(resolve(options.url), `refs/heads/${options.branch ?? BRANCH}`);
  if (!existsSync(options.mirror)) {
    await mkdir(dirname(options.mirror), { recursive: true });
    await initBare(options.mirror);
    if (local === undefined && options.partial === true) await writeMirrorKind(options.mirror, "partial");
  }
  if (local) return followLocalRepository(options, local);
  try {
    return await fetchRemote(options);
  } catch (error) {
    if (isSkiffError(error) && error.code === "ERR_SKIFF_HISTORY_REWRITTEN") throw error;
    // A full disk (or no open files) on this host is the host's fault, not the repository's or the URL's.
    const host = classifyProgramFault(error, {
      path: options.mirror,
      action: "fetching the deployment repository",
    });
    if (host !== undefined) throw host;
    throw new SkiffError(
      "ERR_SKIFF_GIT",
      `cannot fetch the deployment repository ${redactUrl(options.url)}`,
      {
        hint: "check the --repo path or URL and that this host may read it",
        cause: error,
        data: { detail: error instanceof Error ? redactUrl(error.message) : String(error) },
      },
    );
  }
}

async function fetchRemote(options: SyncMirrorOptions): Promise<string | undefined> {
  const { mirror, url, signal } = options;
  const { kind, filter } = await readMirrorKind(mirror);
  // A branch that is not there (yet, or any more) is an empty repository, not an error: git's
  // answer says so, no ls-remote is asked first.
  const outcome = await fetchMirror({
    repo: mirror,
    url,
    branch: options.branch ?? BRANCH,
    ref: REF,
    incoming: INCOMING,
    ...(kind === "partial" ? { filter } : {}),
    ...(options.autoMaintenance === false ? { autoMaintenance: false } : {}),
    ...(signal ? { signal } : {}),
  });
  if (outcome === "absent") return undefined;
  if (outcome === "diverged") {
    const [previous, incoming] = await Promise.all([readRef(mirror, REF), readRef(mirror, INCOMING)]);
    if (previous === undefined || incoming === undefined)
      throw new Error(`${INCOMING} names no commit after the fetch`);
    await judgeRewrite({ mirror, previous, incoming, ...(options.trust ? { trust: options.trust } : {}) });
    await forceRef(mirror, REF, incoming);
  }
  return readTip(options);
}

/** The mirror's main, through the caller's session (which sees the new ref and objects as a new one would). */
async function readTip(options: SyncMirrorOptions): Promise<string> {
  const commit = options.readRef ? await options.readRef(REF) : await readRef(options.mirror, REF);
  if (commit === undefined) throw new Error(`${REF} names no commit after the fetch`);
  return commit;
}

/**
 * A mirror of a local deployment repository (the server's embedded agent) reads its objects in
 * place (git alternates), so following it needs no fetch: its branch is copied into the mirror's
 * main. The alternates file is rewritten whenever it names another repository (an agent given
 * another --repo, a copied data dir). Undefined while it has no branch.
 */
async function followLocalRepository(
  options: SyncMirrorOptions,
  local: LocalRepository,
): Promise<string | undefined> {
  const alternates = await readFile(join(options.mirror, "objects", "info", "alternates"), "utf8").catch(
    () => undefined,
  );
  if (alternates !== `${local.objects}\n`) await borrowObjects(options.mirror, [local.objects]);
  if (local.ref === undefined) return undefined;
  const previous = await readMirrorTip(options.mirror);
  if (previous !== local.ref) {
    // One new commit is the usual step: its parent is the mirror's tip, no merge-base needed.
    const forward =
      previous === undefined ||
      local.parents.includes(previous) ||
      (await isAncestor(options.mirror, previous, local.ref));
    if (!forward) {
      await judgeRewrite({
        mirror: options.mirror,
        previous,
        incoming: local.ref,
        ...(options.trust ? { trust: options.trust } : {}),
      });
    }
    await forceRef(options.mirror, REF, local.ref);
  }
  // The caller's session sees the new ref and objects the same way it would after a fetch.
  return options.readRef ? ((await options.readRef(REF)) ?? local.ref) : local.ref;
}

/** The mirror's main: its loose ref file (one read, no git), or git's answer when there is none. */
async function readMirrorTip(mirror: string): Promise<string | undefined> {
  const text = await readFile(join(mirror, "refs", "heads", BRANCH), "utf8").catch(() => undefined);
  const loose = text?.trim();
  if (loose !== undefined && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(loose)) return loose;
  return readRef(mirror, REF);
}
