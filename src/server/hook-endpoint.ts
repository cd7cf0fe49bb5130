import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import { traceMark } from "../process/index.js";
import { HOOK_REQUEST_MAX_BYTES, parseHookRequest, type ReceivedPush } from "./hook-request.js";
import { readBodyCapped } from "./read-body.js";

export type { ReceivedPush, RefUpdate } from "./hook-request.js";
import { createPushOutputStream, type PushOutputStream } from "./push-output.js";

export const HOOK_PATH = "/internal/hooks/pre-receive";

const ZERO = /^0+$/;

/**
 * Runs one push and ends `output` with the hook's exit code itself. `signal` aborts when the hook
 * (and so the pusher) went away; what happens then is the handler's to decide.
 */
export type HandlePush = (push: ReceivedPush, output: PushOutputStream, signal: AbortSignal) => Promise<void>;

/** Answers the pre-receive hook (hooks/pre-receive.bash): checks the server's secret, then streams the push's pipeline. */
export async function handleHookRequest(c: Context, secret: string, onPush: HandlePush): Promise<Response> {
  if (!isSecretValid(c.req.header("authorization"), secret)) return c.text("not allowed\n", 401);
  // Bounded before anything is parsed (a hook request is ref update lines: far below this).
  const body = await readBodyCapped(c.req.raw, HOOK_REQUEST_MAX_BYTES).catch(() => undefined);
  if (body === "too-large") return c.text("hook request too large\n", 413);
  const push = body === undefined ? undefined : parseHookRequest(Buffer.from(body).toString("utf8"));
  if (!push) return c.text("bad hook request\n", 400);
  traceMark(`hook ${push.app}`);
  const output = createPushOutputStream();
  onPush(push, output, hookGone(c)).catch((error: unknown) => {
    // The handler ends the answer itself; this is its last resort (a bug), never a crash.
    output.line(`skiff: internal error: ${error instanceof Error ? error.message : String(error)}`);
    output.end(1);
  });
  return new Response(output.stream, { headers: { "content-type": "text/plain; charset=utf-8" } });
}

/**
 * Aborts when the hook went away. Its request body is complete, so an end of its input means the
 * hook closed its connection: Node would only notice at the next write (the build may be silent).
 */
function hookGone(c: Context): AbortSignal {
  const gone = new AbortController();
  const socket = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket;
  socket?.once("end", () => gone.abort());
  const request = c.req.raw.signal;
  if (request.aborted) gone.abort();
  else request.addEventListener("abort", () => gone.abort(), { once: true });
  return gone.signal;
}

function isSecretValid(header: string | undefined, secret: string): boolean {
  const presented = Buffer.from((header ?? "").replace(/^Bearer\s+/i, ""));
  const expected = Buffer.from(secret);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** True for an all-zero object id (a ref created or deleted). */
export function isZeroId(id: string): boolean {
  return ZERO.test(id);
}
