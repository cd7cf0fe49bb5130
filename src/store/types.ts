import type { SerializedError } from "../errors/index.js";
import type { SkiffConfig } from "../config/index.js";
import type { ReleaseManifest } from "./manifest/index.js";
import type { StageRecord } from "./stage-record-schema.js";

/** One artifact file of a build, as the build part records it. */
export interface StoreArtifact {
  name: string;
  /** Absolute path of the built file. */
  path: string;
  size: number;
  sha256: string;
  mode: number;
}

/** One matrix entry of a build. */
export interface StoreTarget {
  target: string;
  deploy: boolean;
  artifacts: readonly StoreArtifact[];
}

/** What store needs from a build: structurally a subset of the build part's BuildSummary. */
export interface StoreInput {
  buildId: string;
  app: string;
  commit: string;
  repository?: string;
  branch?: string;
  status?: "succeeded" | "failed";
  durationMs: number;
  config: SkiffConfig;
  targets: readonly StoreTarget[];
}

/** What a signed pointer record (<app>/<pointer>.json) says; structurally the trust part's PointerRecord. */
export interface PointerRecordInput {
  app: string;
  pointer: PointerName;
  release: number;
  sequence: number;
  /** sha256 (hex) of the release's manifest.json bytes. */
  manifestSha256: string;
  created: string;
  expires?: string;
}

/**
 * Signing hook (the trust part implements it, see docs/trust.md): the texts of the signed files.
 * e.g. encodeManifest: (m) => encodeEnvelope(signManifest(m, keys)).
 */
export interface ReleaseSigner {
  /** The text of manifest.json for a signed release (a signed envelope of the manifest). */
  encodeManifest(manifest: ReleaseManifest): string | Promise<string>;
  /** The text of <app>/<pointer>.json, the signed pointer record. */
  encodePointer(record: PointerRecordInput): string | Promise<string>;
}

export interface StoreOptions {
  /** The deployment repository: a local path (created as a bare repository when missing) or a git URL. */
  to: string;
  build: StoreInput;
  /** Keep at most this many release folders of the app (never removing current or the previous current). */
  keep?: number;
  signal?: AbortSignal;
  /** Sign the manifest and the current record; without it both are plain and any stale current.json is removed. */
  sign?: ReleaseSigner;
  /** When the manifest expires: a duration from now ("14d") or an ISO date-time. */
  expires?: string;
  /** Push attempts when other stores race this one (default 10). */
  attempts?: number;
  /** `skiff store --targets unix,virtio`: store these matrix entries (default: those marked deploy: true). */
  targets?: readonly string[];
  /** Extensions to sign into the manifest (tools that embed skiff; docs/deployment-repository.md). */
  extensions?: Record<string, unknown>;
  /**
   * Where the store's scratch (compressed artifacts) goes; default the system's temp dir. The server
   * gives its DATA/tmp, which it empties when it starts: a store cut short by a kill leaves nothing.
   */
  scratchDir?: string;
}

export interface StoreResult {
  app: string;
  release: number;
  sequence: number;
  /** The first stored target (the one a host with every driver runs). */
  target: string;
  /** Every stored target, in the matrix's order. */
  targets: string[];
  /** The deployment repository (credentials hidden). */
  repository: string;
  /** The commit on main that holds the release. */
  commit: string;
  /** Release folders removed by --keep in the same commit. */
  removed: number[];
  attempts: number;
  manifest: ReleaseManifest;
}

export interface ReleaseInfo {
  release: number;
  created?: string;
  commit?: string;
  /** The first target (kept for readers of earlier `skiff releases --json`). */
  target?: string;
  /** Every target of the release with its driver, in the order hosts consider them. */
  targets?: { target: string; driver: string }[];
  /** The manifest's format version ("2.0"; "1" for a release stored before it had a minor). */
  version?: string;
  current: boolean;
  staging: boolean;
  /** True when skiff gc removed its images: it can no longer be deployed. */
  collected?: boolean;
  /** Set when the manifest could not be read. */
  error?: SerializedError;
  /** The staging verdict and its figures (<N>/stage.json), when the release was staged. */
  stage?: StageRecord;
}

export interface AppPointers {
  app: string;
  current?: number;
  staging?: number;
  /** The app's sequence counter at this commit (grows with every manifest and pointer change). */
  sequence?: number;
  /** `<app>/destroyed` exists: the app was destroyed; agents stop it and forget it. */
  destroyed?: boolean;
  error?: SerializedError;
}

export type PointerName = "current" | "staging";
