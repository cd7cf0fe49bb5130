import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ensureBareRepository,
  hashFile,
  hashText,
  normalizeLocation,
  redactUrl,
  type TreeChange,
} from "../git/index.js";
import { pointerRelease, readAppState } from "./app-state.js";
import { buildManifest, encodeManifest } from "./build-manifest.js";
import { commitWithRetry, type CommitPlan } from "./commit-with-retry.js";
import { compressArtifacts } from "./compress-artifacts.js";
import { manifestPath, releaseDir } from "./layout.js";
import type { Manifest } from "./manifest-schema.js";
import { planRetention } from "./plan-retention.js";
import { pointerChanges } from "./pointer-changes.js";
import { selectDeployTarget } from "./select-target.js";
import type { StoreOptions, StoreResult, StoreTarget } from "./types.js";
import { withWorkspace, type Workspace } from "./workspace.js";

/**
 * Stores the build's deploy target as the next release of its app and makes it current, in one
 * commit pushed to main. Races with other writers are retried on the new tip with the next number.
 */
export async function storeRelease(options: StoreOptions): Promise<StoreResult> {
  const target = selectDeployTarget(options.build);
  const to = normalizeLocation(options.to);
  const scratch = await mkdtemp(join(tmpdir(), "skiff-gzip-"));
  try {
    // Compress and check everything before touching the deployment repository.
    const compressed = await compressArtifacts(target.artifacts, scratch, options.signal);
    await ensureBareRepository(to);
    return await withWorkspace(to, options.signal, async (workspace) => {
      const blobs: StoredBlob[] = [];
      for (const c of compressed) {
        blobs.push({ stored: c.file.stored, object: await hashFile(workspace.dir, c.gzPath) });
      }
      const files = compressed.map((c) => c.file);
      const outcome = await commitWithRetry({
        workspace,
        attempts: options.attempts,
        plan: (tip) => planStore({ workspace, tip, options, target, files, blobs }),
      });
      const { manifest, removed } = outcome.result;
      return {
        app: manifest.app,
        release: manifest.release,
        sequence: manifest.sequence,
        target: target.target,
        repository: redactUrl(to),
        commit: outcome.commit ?? "",
        removed,
        attempts: outcome.attempts,
        manifest,
      };
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

interface StoredBlob {
  stored: string;
  object: string;
}

/** One attempt: the next free release number on top of `tip`, its files, manifest, retention and current. */
async function planStore(input: {
  workspace: Workspace;
  tip: string | undefined;
  options: StoreOptions;
  target: StoreTarget;
  files: Manifest["files"];
  blobs: readonly StoredBlob[];
}): Promise<CommitPlan<{ manifest: Manifest; removed: number[] }>> {
  const { workspace, options } = input;
  const { app } = options.build;
  const repo = workspace.dir;
  const state = await readAppState(repo, input.tip, app);
  const previous = pointerRelease(state.currentText);
  // Never reuse a number: above every folder and anything a pointer names.
  const release = Math.max(0, previous ?? 0, pointerRelease(state.stagingText) ?? 0, ...state.releases) + 1;
  // The manifest and the current change of one store share one new sequence number.
  const sequence = state.sequence + 1;
  const now = new Date();
  const manifest = buildManifest({
    build: options.build,
    target: input.target.target,
    files: input.files,
    release,
    sequence,
    created: now,
    expires: options.expires,
  });
  const manifestText = options.sign ? await options.sign.encodeManifest(manifest) : encodeManifest(manifest);
  const removed = planRetention({
    releases: [...state.releases, release],
    keep: options.keep,
    current: release,
    previous,
  });
  const removedPrefixes = removed.map((n) => `${releaseDir(app, n)}/`);
  const changes: TreeChange[] = [
    ...input.blobs.map((b) => ({
      path: `${releaseDir(app, release)}/${b.stored}`,
      object: b.object,
      mode: "100644" as const,
    })),
    { path: manifestPath(app, release), object: await hashText(repo, manifestText), mode: "100644" },
    ...state.entries
      .filter((entry) => removedPrefixes.some((prefix) => entry.path.startsWith(prefix)))
      .map((entry) => ({ path: entry.path, remove: true as const })),
    ...(await pointerChanges({
      repo,
      state,
      // A release with a stage: section goes to staging first; current moves only when it is promoted.
      pointer: manifest.stage ? "staging" : "current",
      release,
      sequence,
      manifestText,
      sign: options.sign,
      expires: manifest.expires,
      now,
    })),
  ];
  const message = `${app}: release ${release} (${options.build.commit.slice(0, 7)}, ${input.target.target})${manifest.stage ? " to staging" : ""}`;
  return { changes, message, result: { manifest, removed } };
}
