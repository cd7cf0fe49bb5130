import { statfsSync } from "node:fs";
import { dirname } from "node:path";
import type { ErrorCode } from "./codes.js";
import { SkiffError, isSkiffError } from "./skiff-error.js";

/** Resource faults of the host, by errno: never the release's fault, worth retrying once it recovers. */
const HOST_FAULTS: Readonly<Record<string, ErrorCode>> = {
  ENOSPC: "ERR_SKIFF_DISK_FULL",
  EDQUOT: "ERR_SKIFF_DISK_FULL",
  EMFILE: "ERR_SKIFF_HOST_RESOURCE",
  ENFILE: "ERR_SKIFF_HOST_RESOURCE",
  ENOMEM: "ERR_SKIFF_HOST_RESOURCE",
  EACCES: "ERR_SKIFF_PERMISSION",
  EPERM: "ERR_SKIFF_PERMISSION",
  EROFS: "ERR_SKIFF_PERMISSION",
};

export interface HostFaultContext {
  /** The file or folder being written (or read) when it happened. */
  path?: string;
  /** What was being done, for the message: "unpacking hello release 3". */
  action?: string;
  /** Bytes the work needed, when known (a release's unpacked size). */
  neededBytes?: number;
}

/**
 * A host resource fault (disk full, quota, open files, memory, permissions) as the SkiffError that
 * names it, with `data.retryable: true` and `data.cause: "host"`; undefined for anything else (a
 * SkiffError stays what it is). One place for every part: unpack, state and event writes, the CLI.
 */
export function classifyHostFault(error: unknown, context: HostFaultContext = {}): SkiffError | undefined {
  if (isSkiffError(error)) return undefined;
  const errno = errnoOf(error);
  const code = errno === undefined ? undefined : HOST_FAULTS[errno];
  if (errno === undefined || code === undefined) return undefined;
  const path = context.path ?? pathOf(error);
  const doing = context.action === undefined ? "" : ` while ${context.action}`;
  const where = path === undefined ? "" : ` at ${path}`;
  const data: Record<string, unknown> = { retryable: true, cause: "host", errno, ...(path ? { path } : {}) };
  if (code === "ERR_SKIFF_DISK_FULL") {
    const free = path === undefined ? undefined : freeBytes(path);
    if (free !== undefined) data.freeBytes = free;
    if (context.neededBytes !== undefined) data.neededBytes = context.neededBytes;
    const needs = context.neededBytes === undefined ? "" : `; this needs ${formatBytes(context.neededBytes)}`;
    return new SkiffError("ERR_SKIFF_DISK_FULL", `the disk is full${where}${doing} (${errno})`, {
      hint: `free space on the filesystem of ${path ?? "skiff's data dir"} (${free === undefined ? "free space unknown" : `${formatBytes(free)} free now`}${needs}); the release itself is fine and is tried again`,
      cause: error,
      data,
    });
  }
  if (code === "ERR_SKIFF_HOST_RESOURCE") {
    const files = errno !== "ENOMEM";
    return new SkiffError(
      "ERR_SKIFF_HOST_RESOURCE",
      `this host ran out of ${files ? "open files" : "memory"}${where}${doing} (${errno})`,
      {
        hint: files
          ? "raise the open-file limit of skiff's user (ulimit -n, LimitNOFILE= in its systemd unit) or close what holds files open; it is tried again"
          : "free memory on this host (fewer instances or smaller deploy.memory); it is tried again",
        cause: error,
        data,
      },
    );
  }
  return new SkiffError("ERR_SKIFF_PERMISSION", `permission denied${where}${doing} (${errno})`, {
    hint: `let the user skiff runs as write ${path ?? "its data dir"} (owner, mode, a read-only mount); it is tried again`,
    cause: error,
    data,
  });
}

/**
 * What a child program (git) prints for a host fault, as the errno it stands for: its failure
 * reaches us as an exit code and stderr text, not as an errno. Permission errors are left out:
 * git's "Permission denied" is as often the remote's refusal as the host's.
 */
const MESSAGE_ERRNOS: readonly [RegExp, string][] = [
  [/No space left on device/, "ENOSPC"],
  [/Disk quota exceeded/, "EDQUOT"],
  [/Too many open files/, "EMFILE"],
  [/Cannot allocate memory|Out of memory/, "ENOMEM"],
];

/**
 * A program that failed (git, as ERR_SKIFF_GIT with its stderr) because of a host fault it names
 * in its output, as that fault's SkiffError; undefined for any other failure.
 */
export function classifyProgramFault(error: unknown, context: HostFaultContext = {}): SkiffError | undefined {
  if (!(error instanceof Error)) return undefined;
  const errno = MESSAGE_ERRNOS.find(([pattern]) => pattern.test(error.message))?.[1];
  if (errno === undefined) return undefined;
  return classifyHostFault(
    Object.assign(new Error(error.message, { cause: error }), { code: errno }),
    context,
  );
}

/** A host fault's errno, also when it hides as the cause of a wrapping error. */
function errnoOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 3; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === "string" && code in HOST_FAULTS) return code;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return undefined;
}

function pathOf(error: unknown): string | undefined {
  const path = (error as NodeJS.ErrnoException).path;
  return typeof path === "string" ? path : undefined;
}

/** Free bytes for an unprivileged writer on the filesystem of `path` (or of its nearest parent). */
function freeBytes(path: string): number | undefined {
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      const stats = statfsSync(dir);
      return stats.bavail * stats.bsize;
    } catch {
      if (dirname(dir) === dir) return undefined;
    }
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** Whether a (serialised) failure is the host's, to be retried when the host recovers. */
export function isRetryableFailure(error: { data?: Record<string, unknown> | undefined }): boolean {
  return error.data?.retryable === true;
}
