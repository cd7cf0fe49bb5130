import { normalizeLocation } from "../git/index.js";
import type { PrivateKey } from "../trust/index.js";
import { pointerRelease, readAppState } from "./app-state.js";
import { resolveExpiry } from "./build-manifest.js";
import { assertAgentsAccept } from "./check-agents-accept.js";
import { commitWithRetry, type CommitPlan } from "./commit-with-retry.js";
import { manifestPath } from "./layout.js";
import type { StoreChange } from "./new-blobs.js";
import { pointerChanges } from "./pointer-changes.js";
import { assertSignedByOneOf, pickRelease, readManifestAtTip } from "./release-at-tip.js";
import { createReleaseSigner } from "./release-signer.js";
import type { PointerName } from "./types.js";
import { withWorkspace, type Workspace } from "./workspace.js";

export interface ResignOptions {
  repo: string;
  app: string;
  /** Default: the release current names. */
  release?: number;
  keys: readonly PrivateKey[];
  /** New expiry ("14d" from now, or an ISO date-time); default 14d when the manifest had one. */
  expires?: string;
  signal?: AbortSignal;
}

export interface ResignResult {
  app: string;
  release: number;
  sequence: number;
  expires?: string;
  /** The pointers naming the release, whose signed records were written anew. */
  pointers: PointerName[];
  commit: string;
}

/**
 * Signs release N again with a fresh `expires` and the next sequence number, and writes new signed
 * records for every pointer naming it (their manifestSha256 changes with the manifest's bytes).
 * Every target and extension is signed again as it was; a version 1 manifest is written as 2.x.
 */
export async function resignRelease(options: ResignOptions): Promise<ResignResult> {
  const repo = normalizeLocation(options.repo);
  return withWorkspace(repo, options.signal, async (workspace) => {
    const outcome = await commitWithRetry({ workspace, plan: (tip) => planResign(workspace, tip, options) });
    return { ...outcome.result, commit: outcome.commit ?? "" };
  });
}

async function planResign(
  workspace: Workspace,
  tip: string | undefined,
  options: ResignOptions,
): Promise<CommitPlan<Omit<ResignResult, "commit">>> {
  const repo = workspace.dir;
  const state = await readAppState(repo, tip, options.app);
  const release = pickRelease(state, options.release, workspace.url);
  const old = await readManifestAtTip({ repo, tip: tip!, state, release });
  assertSignedByOneOf(old.text, options.keys);
  const now = new Date();
  const expiresText = options.expires ?? (old.manifest.expires ? "14d" : undefined);
  const expires = expiresText === undefined ? undefined : resolveExpiry(expiresText, now);
  const sequence = state.sequence + 1;
  const { expires: _dropped, ...rest } = old.manifest;
  const manifest = { ...rest, sequence, ...(expires ? { expires } : {}) };
  const sign = createReleaseSigner(options.keys);
  const manifestText = await sign.encodeManifest(manifest);
  assertAgentsAccept(manifestText, { app: options.app, release, now });
  const changes: StoreChange[] = [
    { path: manifestPath(options.app, release), text: manifestText, mode: "100644" },
  ];
  const pointers = (["current", "staging"] as const).filter(
    (pointer) => pointerRelease(pointer === "current" ? state.currentText : state.stagingText) === release,
  );
  for (const pointer of pointers) {
    const moved = await pointerChanges({
      state,
      pointer,
      release,
      sequence,
      manifestText,
      sign,
      now,
      ...(expires ? { expires } : {}),
    });
    // The sequence file is written once per commit.
    changes.push(...moved.filter((change) => !changes.some((c) => c.path === change.path)));
  }
  if (pointers.length === 0)
    changes.push({ path: `${options.app}/sequence`, text: `${sequence}\n`, mode: "100644" });
  const message = `${options.app}: release ${release} signed again${expires ? ` (expires ${expires})` : ""}`;
  return {
    changes,
    message,
    result: { app: options.app, release, sequence, pointers: [...pointers], ...(expires ? { expires } : {}) },
  };
}
