import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SkiffError } from "../errors/index.js";
import {
  borrowObjects,
  firstParents,
  initBare,
  inspectLocalRepository,
  isRemoteUrl,
  measureObjects,
  migrateQuarantine,
  normalizeLocation,
  readRef,
  rewriteHistory,
  updateRefLocked,
} from "../git/index.js";
import { commitGcRecord } from "./commit-gc-record.js";
import type { GcRecord, GcRecordSigner } from "./gc-record.js";
import { keepsPath, mergeReleases, planGc, releasesOf } from "./plan-gc.js";
import { pruneRepository } from "./prune-repository.js";
import { readGcInput } from "./read-gc-input.js";
import { BRANCH } from "./workspace.js";

export interface GcOptions {
  /** The deployment repository: a local bare repository (gc rewrites it in place). */
  repo: string;
  /** Per app, how many of the newest releases keep their images (current, the previous current and staging always do). */
  keep: number;
  /** Signs the gc record (hosts with --trust accept a rewrite only with a record signed by their keys). */
  sign?: GcRecordSigner;
  /** Attempts when stores keep moving main during the rewrite (default 5). */
  attempts?: number;
  signal?: AbortSignal;
  now?: Date;
}

export interface GcResult {
  repository: string;
  /** Per app, the releases whose images this gc removed from the history. */
  collected: Record<string, number[]>;
  /** Per app, the releases that keep their images. */
  kept: Record<string, number[]>;
  /** main before and after; equal when there was nothing to collect. */
  previousTip?: string;
  tip?: string;
  /** Bytes of the repository's objects before and after. */
  bytesBefore: number;
  bytesAfter: number;
}

const REF = `refs/heads/${BRANCH}`;
/** How many of main's old tips the record names (a local follower up to that many stores behind takes the rewrite). */
const REPLACED_TIPS = 64;

/**
 * Rewrites the deployment repository's history without the images of releases outside the kept
 * set (manifests, pointers and their history stay, so release numbers and sequences only grow),
 * puts the gc record on top (docs/deployment-repository.md), moves main by compare-and-swap and
 * then removes the old objects for good. A store that lands meanwhile makes it start again.
 */
export async function collectGarbage(options: GcOptions): Promise<GcResult> {
  const repo = normalizeLocation(options.repo);
  const local = isRemoteUrl(repo) ? undefined : await inspectLocalRepository(repo, REF);
  if (local === undefined || !local.bare) {
    throw new SkiffError("ERR_SKIFF_USAGE", `skiff gc rewrites a local bare repository; ${repo} is not one`, {
      hint: "run skiff gc on the machine that holds the deployment repository (skiff server: <data>/deploy.git)",
    });
  }
  const bytesBefore = await measureObjects(local.objects);
  const attempts = Math.max(1, options.attempts ?? 5);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    options.signal?.throwIfAborted();
    const tip = await readRef(repo, REF);
    const outcome =
      tip === undefined ? undefined : await rewriteOnce({ options, repo, objects: local.objects, tip });
    if (outcome === "moved") continue;
    await pruneRepository(repo, local.objects);
    const bytesAfter = await measureObjects(local.objects);
    return {
      repository: repo,
      collected: outcome?.collected ?? {},
      kept: outcome?.kept ?? {},
      ...(tip === undefined ? {} : { previousTip: tip, tip: outcome?.tip ?? tip }),
      bytesBefore,
      bytesAfter,
    };
  }
  throw new SkiffError(
    "ERR_SKIFF_STORE_CONFLICT",
    `gave up after ${attempts} attempts: stores kept moving main`,
    {
      hint: "run skiff gc again when fewer stores are running",
    },
  );
}

interface Rewritten {
  tip: string;
  collected: Record<string, number[]>;
  kept: Record<string, number[]>;
}

/** One attempt on `tip`; "moved" when another writer moved main first. */
async function rewriteOnce(input: {
  options: GcOptions;
  repo: string;
  objects: string;
  tip: string;
}): Promise<Rewritten | "moved"> {
  const { options, repo, tip } = input;
  const state = await readGcInput(repo, tip);
  const kept = planGc(state.apps, options.keep);
  // A scratch repository borrowing the objects: nothing reaches the repository before main's lock.
  const scratch = await mkdtemp(join(tmpdir(), "skiff-gc-"));
  try {
    await initBare(scratch);
    await borrowObjects(scratch, [input.objects]);
    const rewritten = await rewriteHistory({
      repo: scratch,
      tip,
      keep: keepsPath(kept),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const collected = releasesOf(rewritten.dropped);
    if (rewritten.dropped.length === 0) return { tip, collected, kept };
    const record: GcRecord = {
      version: 1,
      sequence: (state.record?.sequence ?? 0) + 1,
      previousTip: tip,
      replacedTips: await firstParents(repo, tip, REPLACED_TIPS),
      rewrittenTip: rewritten.tip,
      created: (options.now ?? new Date()).toISOString(),
      collected: mergeReleases(state.record?.collected ?? {}, collected),
      kept,
    };
    const marker = await commitGcRecord({
      repo: scratch,
      record,
      collected,
      ...(options.sign ? { sign: options.sign } : {}),
    });
    const scratchObjects = join(scratch, "objects");
    // The marker's objects are read from the scratch repository until they move in, under main's lock.
    const env = { GIT_ALTERNATE_OBJECT_DIRECTORIES: scratchObjects };
    const updated = await updateRefLocked({
      repo,
      ref: REF,
      value: marker,
      expected: tip,
      env,
      beforeCommit: () => migrateQuarantine({ dir: scratchObjects, objects: input.objects, env }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (updated.status === "conflict") return "moved";
    if (updated.status === "refused") {
      throw new SkiffError(
        "ERR_SKIFF_STORE_FAILED",
        `the deployment repository ${repo} refused the gc's update`,
        {
          hint: "check that you may write to the repository (objects/ and refs/) and what its reference-transaction hook refuses",
          data: { detail: updated.detail },
        },
      );
    }
    return { tip: marker, collected, kept };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
