import type { SerializedError } from "../../errors/index.js";
import type { RetryRecord } from "../state/index.js";

/** The first retry of a release that failed for a host reason waits this long; each next one twice as long. */
export const RETRY_FIRST_MS = 1000;
/** The longest wait between two retries. */
export const RETRY_MAX_MS = 60_000;

/** Faults of the host (disk full, out of files or memory, permissions): the release itself is fine. */
const HOST_CODES = new Set(["ERR_SKIFF_DISK_FULL", "ERR_SKIFF_HOST_RESOURCE", "ERR_SKIFF_PERMISSION"]);

/** Failures that say nothing about the release (a git hiccup, a bug, a stop, a newer release): tried at the next pass. */
const TRANSIENT_CODES = new Set([
  "ERR_SKIFF_GIT",
  "ERR_SKIFF_INTERNAL",
  "ERR_SKIFF_AGENT_LOCKED",
  "ERR_SKIFF_APP_STOPPED",
  "ERR_SKIFF_SUPERSEDED",
  "ERR_SKIFF_SWAP_UNRESOLVED",
]);

/**
 * What a failed deploy says (pure): `host` — the host's fault, retried with backoff once it
 * recovers; `transient` — tried again at the next pass; `release` — the release failed its
 * checks (health, crash, signature, damaged files …) and is never retried while current names it.
 */
export type FailureKind = "host" | "transient" | "release";

export function classifyFailure(error: SerializedError | undefined): FailureKind {
  if (error === undefined) return "release";
  if (HOST_CODES.has(error.code) || (error.data?.retryable === true && error.data.cause === "host"))
    return "host";
  return TRANSIENT_CODES.has(error.code) ? "transient" : "release";
}

/** The n-th retry in a row waits RETRY_FIRST_MS × 2^(n-1), at most RETRY_MAX_MS. */
export function retryDelay(attempt: number): number {
  return Math.min(RETRY_FIRST_MS * 2 ** Math.max(0, attempt - 1), RETRY_MAX_MS);
}

/**
 * The retry of `release` after it failed for a host reason (pure): one more attempt than the
 * previous retry of the same release, due after its backoff. Undefined for any other failure.
 */
export function planRetry(input: {
  release: number;
  error: SerializedError | undefined;
  previous?: RetryRecord;
  now: number;
}): RetryRecord | undefined {
  if (input.error === undefined || classifyFailure(input.error) !== "host") return undefined;
  const attempt = input.previous?.release === input.release ? input.previous.attempt + 1 : 1;
  const delayMs = retryDelay(attempt);
  return {
    release: input.release,
    code: input.error.code,
    attempt,
    delayMs,
    at: new Date(input.now + delayMs).toISOString(),
  };
}
