/** How one POST ended: a status code, or no answer ("timeout", "ECONNREFUSED" …). */
export interface PostOutcome {
  status?: number;
  /** Set when there was no HTTP answer. */
  error?: string;
  /** The receiver's Retry-After, in ms, when it sent one in seconds. */
  retryAfterMs?: number;
}

export interface RetryPolicy {
  /** Retries stop once this long has passed since the first attempt (default 5 minutes). */
  retryForMs: number;
  /** The wait before the first retry; it doubles at each attempt up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retryForMs: 5 * 60_000,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
};

export type RetryDecision =
  { retry: true; delayMs: number } | { retry: false; reason: "delivered" | "refused" | "gave up" };

export function isDelivered(outcome: PostOutcome): boolean {
  return outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300;
}

/** No answer, 408, 429 and 5xx may pass; any other answer (400, 401, 404 …) will not change by asking again. */
function isRetryable(outcome: PostOutcome): boolean {
  const status = outcome.status;
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/**
 * After attempt number `attempts` (1 = the first) ended with `outcome`: wait and retry, or stop.
 * Exponential backoff with jitter (half the delay fixed, half random, so receivers coming back up
 * are not hit by every sink at once); never a wait that ends past the policy's window. Pure.
 */
export function planRetry(input: {
  attempts: number;
  elapsedMs: number;
  outcome: PostOutcome;
  policy: RetryPolicy;
  /** A number in [0, 1): Math.random() in production. */
  random: number;
}): RetryDecision {
  if (isDelivered(input.outcome)) return { retry: false, reason: "delivered" };
  if (!isRetryable(input.outcome)) return { retry: false, reason: "refused" };
  const { baseDelayMs, maxDelayMs, retryForMs } = input.policy;
  const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (input.attempts - 1));
  const jittered = backoff / 2 + (input.random * backoff) / 2;
  const delayMs = Math.round(Math.max(jittered, Math.min(input.outcome.retryAfterMs ?? 0, maxDelayMs)));
  if (input.elapsedMs + delayMs > retryForMs) return { retry: false, reason: "gave up" };
  return { retry: true, delayMs };
}
