import { SkiffError } from "../errors/index.js";
import { normalizeLocation, redactUrl, type TreeChange } from "../git/index.js";
import { pointerRelease, readAppState, type AppState } from "./app-state.js";
import { encodeManifest, resolveExpiry } from "./build-manifest.js";
import { assertAgentsAccept } from "./check-agents-accept.js";
import { commitWithRetry, type CommitPlan } from "./commit-with-retry.js";
import { manifestPath, releaseDir } from "./layout.js";
import { ReleaseManifestSchema, storedFiles, type ReleaseManifest } from "./manifest/index.js";
import type { StoreChange } from "./new-blobs.js";
import { pointerChanges } from "./pointer-changes.js";
import { pickRelease, readManifestAtTip } from "./release-at-tip.js";
import type { PointerName, ReleaseSigner } from "./types.js";
import { fetchTip, withWorkspace, type Workspace } from "./workspace.js";

export interface ChangeConfigVarsOptions {
  repo: string;
  app: string;
  /** Values to set (plain text, or sealed values from skiff secrets encrypt). */
  set?: Readonly<Record<string, string>>;
  unset?: readonly string[];
  sign?: ReleaseSigner;
  /** When the new manifest and its pointer record expire ("14d" or an ISO date-time). */
  expires?: string;
  signal?: AbortSignal;
}

export interface ConfigVarsChange {
  app: string;
  /** The new release, or the current one when nothing changed. */
  release: number;
  /** The release whose image and settings the new one was made from. */
  from: number;
  pointer: PointerName;
  sequence: number;
  env: Record<string, string>;
  changed: boolean;
  commit: string;
}

/**
 * `skiff config:set` / `config:unset`: a new release with the image of the current one (the same
 * stored blobs of every target, no build) and new deploy.env, committed with current (staging when
 * the app stages). Targets and extensions are carried over as they are.
 */
export async function changeConfigVars(options: ChangeConfigVarsOptions): Promise<ConfigVarsChange> {
  const repo = normalizeLocation(options.repo);
  return withWorkspace(repo, options.signal, async (workspace) => {
    const outcome = await commitWithRetry({ workspace, plan: (tip) => planChange(workspace, tip, options) });
    return { ...outcome.result, commit: outcome.commit ?? "" };
  });
}

/** `skiff config`: the release current names and its deploy.env. */
export async function readConfigVars(options: {
  repo: string;
  app: string;
  signal?: AbortSignal;
}): Promise<{ app: string; release: number; env: Record<string, string> }> {
  const repo = normalizeLocation(options.repo);
  return withWorkspace(repo, options.signal, async (workspace) => {
    const tip = await fetchTip(workspace);
    const state = await readAppState(workspace.dir, tip, options.app);
    const release = pickRelease(state, undefined, workspace.url);
    const { manifest } = await readManifestAtTip({ repo: workspace.dir, tip: tip!, state, release });
    return { app: options.app, release, env: { ...manifest.deploy.env } };
  });
}

async function planChange(
  workspace: Workspace,
  tip: string | undefined,
  options: ChangeConfigVarsOptions,
): Promise<CommitPlan<Omit<ConfigVarsChange, "commit">>> {
  const repo = workspace.dir;
  const state = await readAppState(repo, tip, options.app);
  const from = pickRelease(state, undefined, workspace.url);
  const base = (await readManifestAtTip({ repo, tip: tip!, state, release: from })).manifest;
  const env = nextEnv(base.deploy.env, options);
  const pointer: PointerName = base.stage ? "staging" : "current";
  if (sameEnv(env, base.deploy.env)) {
    return {
      changes: [],
      message: "",
      result: {
        app: options.app,
        release: from,
        from,
        pointer,
        sequence: state.sequence,
        env,
        changed: false,
      },
    };
  }
  const release = nextRelease(state);
  const sequence = state.sequence + 1;
  const now = new Date();
  const manifest = deriveManifest(base, { release, sequence, env, now, expires: options.expires });
  const manifestText = options.sign ? await options.sign.encodeManifest(manifest) : encodeManifest(manifest);
  assertAgentsAccept(manifestText, { app: options.app, release, now });
  const changes: StoreChange[] = [
    ...reuseImage(state, base, release),
    { path: manifestPath(options.app, release), text: manifestText, mode: "100644" },
    ...(await pointerChanges({
      state,
      pointer,
      release,
      sequence,
      manifestText,
      now,
      ...(options.sign ? { sign: options.sign } : {}),
      ...(manifest.expires ? { expires: manifest.expires } : {}),
    })),
  ];
  const names = [...Object.keys(options.set ?? {}), ...(options.unset ?? []).map((n) => `-${n}`)];
  const message = `${options.app}: release ${release} config ${names.join(" ")} (image of release ${manifest.imageFrom})`;
  return {
    changes,
    message,
    result: { app: options.app, release, from, pointer, sequence, env, changed: true },
  };
}

function nextEnv(
  env: Readonly<Record<string, string>>,
  options: ChangeConfigVarsOptions,
): Record<string, string> {
  const next: Record<string, string> = { ...env, ...options.set };
  for (const name of options.unset ?? []) delete next[name];
  return next;
}

function sameEnv(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

/** Never reuse a number: above every folder and anything a pointer names (as storeRelease does). */
function nextRelease(state: AppState): number {
  return (
    Math.max(
      0,
      pointerRelease(state.currentText) ?? 0,
      pointerRelease(state.stagingText) ?? 0,
      ...state.releases,
    ) + 1
  );
}

function deriveManifest(
  base: ReleaseManifest,
  next: {
    release: number;
    sequence: number;
    env: Record<string, string>;
    now: Date;
    expires: string | undefined;
  },
): ReleaseManifest {
  const { expires: _old, ...rest } = base;
  const parsed = ReleaseManifestSchema.safeParse({
    ...rest,
    release: next.release,
    sequence: next.sequence,
    created: next.now.toISOString(),
    ...(next.expires ? { expires: resolveExpiry(next.expires, next.now) } : {}),
    imageFrom: base.imageFrom ?? base.release,
    deploy: { ...base.deploy, env: next.env },
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SkiffError(
      "ERR_SKIFF_USAGE",
      `the new config is invalid at ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? ""}`,
      {
        hint: "a name is letters, digits and _ (not starting with a digit), e.g. GREETING=hi",
      },
    );
  }
  return parsed.data;
}

/** The base release's stored files under the new release folder: the same git blobs, nothing rebuilt. */
function reuseImage(state: AppState, base: ReleaseManifest, release: number): TreeChange[] {
  return storedFiles(base).map((file) => {
    const path = `${releaseDir(base.app, base.release)}/${file.stored}`;
    const entry = state.entries.find((e) => e.path === path);
    if (!entry || entry.type !== "blob") {
      throw new SkiffError(
        "ERR_SKIFF_ARTIFACT_MISSING",
        `${path} is missing, so its image cannot be reused`,
        {
          hint: `store a new build of ${base.app} (skiff build && skiff store), then set the config again`,
          data: { path: redactUrl(path) },
        },
      );
    }
    return {
      path: `${releaseDir(base.app, release)}/${file.stored}`,
      object: entry.object,
      mode: "100644" as const,
    };
  });
}
