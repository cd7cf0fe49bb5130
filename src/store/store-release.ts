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
import { buildManifest, canonicalManifestBytes } from "./build-manifest.js";
import { commitWithRetry } from "./commit-with-retry.js";
import { compressArtifacts, type CompressedArtifact } from "./compress-artifacts.js";
import { SIGNATURES_FILE, manifestPath, pointerPath, releaseDir } from "./layout.js";
import { planRetention } from "./plan-retention.js";
import { selectDeployTarget } from "./select-target.js";
import type { StoreOptions, StoreResult } from "./types.js";
import { withWorkspace, type Workspace } from "./workspace.js";

/**
 * Stores the build's deploy target as the next release of its app and makes it current, in one
 * commit pushed to main. Races with other writers are retried on the new tip with the next number.
 */
export async function storeRelease(options: StoreOptions): Promise<StoreResult> {
  const { build } = options;
  const target = selectDeployTarget(build);
  const to = normalizeLocation(options.to);
  const scratch = await mkdtemp(join(tmpdir(), "skiff-gzip-"));
  try {
    // Compress and check everything before touching the deployment repository.
    const compressed = await compressArtifacts(target.artifacts, scratch, options.signal);
    await ensureBareRepository(to);
    return await withWorkspace(to, options.signal, async (workspace) => {
      const blobs = await hashArtifacts(workspace, compressed);
      const outcome = await commitWithRetry({
        workspace,
        attempts: options.attempts,
        plan: async (tip) => {
          const state = await readAppState(workspace.dir, tip, build.app);
          const previous = pointerRelease(state.currentText);
          const release =
            Math.max(0, previous ?? 0, pointerRelease(state.stagingText) ?? 0, ...state.releases) + 1;
          const sequence = state.sequence + 1;
          const manifest = buildManifest({
            build,
            target: target.target,
            files: compressed.map((c) => c.file),
            release,
            sequence,
            created: new Date(),
            expires: options.expires,
          });
          const bytes = canonicalManifestBytes(manifest);
          const removed = planRetention({
            releases: [...state.releases, release],
            keep: options.keep,
            current: release,
            previous,
          });
          const changes: TreeChange[] = [
            ...blobs.map(({ stored, object }) => ({
              path: `${releaseDir(build.app, release)}/${stored}`,
              object,
              mode: "100644" as const,
            })),
            {
              path: manifestPath(build.app, release),
              object: await hashText(workspace.dir, bytes.toString("utf8")),
              mode: "100644",
            },
            ...(await signatureChanges(workspace, options, bytes, build.app, release)),
            ...removedPaths(state.paths, build.app, removed),
            {
              path: pointerPath(build.app, "sequence"),
              object: await hashText(workspace.dir, `${sequence}\n`),
              mode: "100644",
            },
            // current comes last: it names a release whose files are already in this commit.
            {
              path: pointerPath(build.app, "current"),
              object: await hashText(workspace.dir, `${release}\n`),
              mode: "100644",
            },
          ];
          const message = `${build.app}: release ${release} (${build.commit.slice(0, 7)}, ${target.target})`;
          return { changes, message, result: { manifest, removed } };
        },
      });
      return {
        app: build.app,
        release: outcome.result.manifest.release,
        sequence: outcome.result.manifest.sequence,
        target: target.target,
        repository: redactUrl(to),
        commit: outcome.commit ?? "",
        removed: outcome.result.removed,
        attempts: outcome.attempts,
        manifest: outcome.result.manifest,
      };
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function hashArtifacts(
  workspace: Workspace,
  compressed: readonly CompressedArtifact[],
): Promise<{ stored: string; object: string }[]> {
  const blobs = [];
  for (const c of compressed)
    blobs.push({ stored: c.file.stored, object: await hashFile(workspace.dir, c.gzPath) });
  return blobs;
}

async function signatureChanges(
  workspace: Workspace,
  options: StoreOptions,
  bytes: Buffer,
  app: string,
  release: number,
): Promise<TreeChange[]> {
  if (!options.sign) return [];
  const signatures = await options.sign(bytes);
  const object = await hashText(workspace.dir, JSON.stringify(signatures, null, 2) + "\n");
  return [{ path: `${releaseDir(app, release)}/${SIGNATURES_FILE}`, object, mode: "100644" }];
}

function removedPaths(paths: readonly string[], app: string, removed: readonly number[]): TreeChange[] {
  const prefixes = removed.map((release) => `${releaseDir(app, release)}/`);
  return paths
    .filter((path) => prefixes.some((prefix) => path.startsWith(prefix)))
    .map((path) => ({ path, remove: true as const }));
}
