import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_RETRY_POLICY, planRetry, type PostOutcome } from "../../src/notify/index.js";

const plan = (
  attempts: number,
  outcome: PostOutcome,
  random = 0.5,
  elapsedMs = 0,
): ReturnType<typeof planRetry> =>
  planRetry({ attempts, elapsedMs, outcome, policy: DEFAULT_RETRY_POLICY, random });

test("backoff doubles from 1 s up to 60 s, each wait between half and all of it", () => {
  const down = { error: "ECONNREFUSED" };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map((n) => [plan(n, down, 0), plan(n, down, 0.999999)]),
    [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000].map((ms) => [
      { retry: true, delayMs: ms / 2 },
      { retry: true, delayMs: ms },
    ]),
  );
});

test("what is retried: no answer, 408, 429 and 5xx; a 2xx is delivered; other answers are refused", () => {
  assert.deepEqual(
    [{ error: "timeout" }, { status: 408 }, { status: 429 }, { status: 500 }, { status: 503 }].map(
      (o) => plan(1, o).retry,
    ),
    [true, true, true, true, true],
  );
  assert.deepEqual(plan(1, { status: 204 }), { retry: false, reason: "delivered" });
  for (const status of [301, 400, 401, 404, 410])
    assert.deepEqual(plan(1, { status }), { retry: false, reason: "refused" }, String(status));
});

test("Retry-After is honoured up to the longest wait; no wait may end past the window", () => {
  assert.deepEqual(plan(1, { status: 429, retryAfterMs: 30_000 }), { retry: true, delayMs: 30_000 });
  assert.deepEqual(plan(1, { status: 503, retryAfterMs: 3_600_000 }), { retry: true, delayMs: 60_000 });
  assert.deepEqual(plan(3, { status: 500 }, 0.5, 296_000), { retry: true, delayMs: 3000 });
  assert.deepEqual(plan(3, { status: 500 }, 0.5, 298_000), { retry: false, reason: "gave up" });
});
