import { SkiffError } from "../errors/index.js";
import { parseDuration } from "../config/index.js";
import {
  MANIFEST_VERSION,
  ReleaseManifestSchema,
  mapSkiffYml,
  type ManifestFile,
  type ReleaseManifest,
} from "./manifest/index.js";
import type { SelectedTarget } from "./select-target.js";
import type { StoreInput } from "./types.js";

export interface BuildManifestOptions {
  build: StoreInput;
  /** The stored matrix entries in the matrix's order, each with its files. */
  targets: readonly { selected: SelectedTarget; files: ManifestFile[] }[];
  release: number;
  sequence: number;
  created: Date;
  expires?: string;
  /** Signed like the rest; see docs/deployment-repository.md "Extensions". */
  extensions?: Record<string, unknown>;
}

/** The manifest of a new release (pure: no fs, no git), in this skiff's format version. */
export function buildManifest(options: BuildManifestOptions): ReleaseManifest {
  const { build } = options;
  const mapped = mapSkiffYml(
    build.config,
    options.targets.map((t) => t.selected.entry),
  );
  const manifest = {
    version: MANIFEST_VERSION,
    app: build.app,
    release: options.release,
    sequence: options.sequence,
    deploy: mapped.deploy,
    ...(mapped.stage ? { stage: mapped.stage } : {}),
    targets: mapped.targets.map((boot, index) => ({ ...boot, files: options.targets[index]!.files })),
    source: {
      ...(build.repository ? { repository: build.repository } : {}),
      commit: build.commit,
      ...(build.branch ? { branch: build.branch } : {}),
    },
    build: { id: build.buildId, durationMs: build.durationMs },
    created: options.created.toISOString(),
    ...(options.expires ? { expires: resolveExpiry(options.expires, options.created) } : {}),
    ...(options.extensions ? { extensions: options.extensions } : {}),
  };
  const parsed = ReleaseManifestSchema.safeParse(manifest);
  if (!parsed.success) {
    throw new SkiffError(
      "ERR_SKIFF_MANIFEST_INVALID",
      `the manifest of ${build.app} release ${options.release} is invalid`,
      {
        hint: "check the build summary (commit id, artifact names) and skiff.yml",
        data: { issues: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) },
      },
    );
  }
  return parsed.data;
}

/** "14d" from `now`, or an ISO date-time as it is. */
export function resolveExpiry(expires: string, now: Date): string {
  const duration = tryParseDuration(expires);
  if (duration !== undefined) return new Date(now.getTime() + duration).toISOString();
  const time = /^\d{4}-\d{2}-\d{2}/.test(expires) ? Date.parse(expires) : NaN;
  if (Number.isNaN(time)) {
    throw new SkiffError("ERR_SKIFF_USAGE", `"${expires}" is neither a duration nor a date`, {
      hint: "write --expires 14d, or an ISO date-time such as 2030-01-01T00:00:00Z",
    });
  }
  return new Date(time).toISOString();
}

function tryParseDuration(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

/** The text of an unsigned manifest.json: keys sorted (stable diffs), two-space indent, final newline. */
export function encodeManifest(manifest: ReleaseManifest): string {
  return JSON.stringify(sortKeys(manifest), null, 2) + "\n";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return Object.fromEntries(
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sortKeys(v)]),
  );
}
