import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBareRepository, isRemoteUrl, normalizeLocation, redactUrl } from "../git/index.js";
import { pointerRelease, readAppState, tombstoneRelease } from "./app-state.js";
import { buildManifest, encodeManifest } from "./build-manifest.js";
import { assertAgentsAccept } from "./check-agents-accept.js";
import { commitWithRetry, type CommitPlan } from "./commit-with-retry.js";
import { compressArtifacts, type CompressedArtifact } from "./compress-artifacts.js";
import { manifestPath, releaseDir } from "./layout.js";
import type { ReleaseManifest } from "./manifest/index.js";
import { planRetention } from "./plan-retention.js";
import type { StoreChange } from "./new-blobs.js";
import { pointerChanges } from "./pointer-changes.js";
import { selectDeployTargets, type SelectedTarget } from "./select-target.js";
import type { StoreOptions, StoreResult } from "./types.js";
import { withWorkspace, type Workspace } from "./workspace.js";

/** A stored target's files, compressed and waiting to be committed. */
interface CompressedTarget {
  selected: SelectedTarget;
  artifacts: CompressedArtifact[];
}

/**
 * Stores the build's deploy targets as the next release of its app and makes it current, in one
 * commit on main. Races with other writers are retried on the new tip with the next number.
 */
export async function storeRelease(options: StoreOptions): Promise<StoreResult> {
  const selected = selectDeployTargets(options.build, options.targets);
  const to = normalizeLocation(options.to);
  const scratch = await mkdtemp(join(options.scratchDir ?? tmpdir(), "skiff-gzip-"));
  // Compression runs while the deployment repository is read; every attempt awaits it before writing.
  const compressed = compressTargets(selected, scratch, options.signal);
  compressed.catch(() => undefined);
  try {
    // A repository is created only for artifacts that checked out.
    if (!isRemoteUrl(to) && !existsSync(to)) await compressed;
    await ensureBareRepository(to);
    return await withWorkspace(to, options.signal, async (workspace) => {
      const outcome = await commitWithRetry({
        workspace,
        attempts: options.attempts,
        plan: (tip) => planStore({ workspace, tip, options, compressed }),
      });
      const { manifest, removed } = outcome.result;
      const targets = manifest.targets.map((t) => t.target);
      return {
        app: manifest.app,
        release: manifest.release,
        sequence: manifest.sequence,
        target: targets[0]!,
        targets,
        repository: redactUrl(to),
        commit: outcome.commit ?? "",
        removed,
        attempts: outcome.attempts,
        manifest,
      };
    });
  } finally {
    await compressed.catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Each target's artifacts, gzipped; with several targets each stored name starts with its target. */
async function compressTargets(
  selected: readonly SelectedTarget[],
  scratch: string,
  signal: AbortSignal | undefined,
): Promise<CompressedTarget[]> {
  const out: CompressedTarget[] = [];
  for (const target of selected) {
    const prefix = selected.length > 1 ? `${target.entry.target}.` : "";
    const artifacts = await compressArtifacts(target.built.artifacts, scratch, {
      prefix,
      ...(signal ? { signal } : {}),
    });
    out.push({ selected: target, artifacts });
  }
  return out;
}

/** One attempt: the next free release number on top of `tip`, its files, manifest, retention and current. */
async function planStore(input: {
  workspace: Workspace;
  tip: string | undefined;
  options: StoreOptions;
  compressed: Promise<readonly CompressedTarget[]>;
}): Promise<CommitPlan<{ manifest: ReleaseManifest; removed: number[] }>> {
  const { workspace, options } = input;
  const { app } = options.build;
  const repo = workspace.dir;
  const state = await readAppState(repo, input.tip, app);
  const compressed = await input.compressed;
  const previous = pointerRelease(state.currentText);
  // Never reuse a number: above every folder and anything a pointer names.
  // A destroyed app's tombstone remembers its last number: a purge never makes a number come back.
  const release =
    Math.max(
      0,
      previous ?? 0,
      pointerRelease(state.stagingText) ?? 0,
      tombstoneRelease(state.tombstoneText),
      ...state.releases,
    ) + 1;
  // The manifest and the current change of one store share one new sequence number.
  const sequence = state.sequence + 1;
  const now = new Date();
  const manifest = buildManifest({
    build: options.build,
    targets: compressed.map((t) => ({ selected: t.selected, files: t.artifacts.map((c) => c.file) })),
    release,
    sequence,
    created: now,
    expires: options.expires,
    ...(options.extensions ? { extensions: options.extensions } : {}),
  });
  const manifestText = options.sign ? await options.sign.encodeManifest(manifest) : encodeManifest(manifest);
  assertAgentsAccept(manifestText, { app, release, now });
  const removed = planRetention({
    releases: [...state.releases, release],
    keep: options.keep,
    current: release,
    previous,
  });
  const removedPrefixes = removed.map((n) => `${releaseDir(app, n)}/`);
  const changes: StoreChange[] = [
    ...compressed
      .flatMap((t) => t.artifacts)
      .map((c) => ({
        path: `${releaseDir(app, release)}/${c.file.stored}`,
        file: c.gzPath,
        mode: "100644" as const,
      })),
    { path: manifestPath(app, release), text: manifestText, mode: "100644" },
    ...state.entries
      .filter((entry) => removedPrefixes.some((prefix) => entry.path.startsWith(prefix)))
      .map((entry) => ({ path: entry.path, remove: true as const })),
    ...(await pointerChanges({
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
  const targets = manifest.targets.map((t) => t.target).join(", ");
  const message = `${app}: release ${release} (${options.build.commit.slice(0, 7)}, ${targets})${manifest.stage ? " to staging" : ""}`;
  return { changes, message, result: { manifest, removed } };
}
