import { timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { traceMark } from "../process/index.js";
import { parseHookRequest, type ReceivedPush } from "./hook-request.js";

export type { ReceivedPush, RefUpdate } from "./hook-request.js";
import { createPushOutputStream, type PushOutput } from "./push-output.js";

export const HOOK_PATH = "/internal/hooks/pre-receive";

const ZERO = /^0+$/;

export type HandlePush = (push: ReceivedPush, output: PushOutput, signal: AbortSignal) => Promise<number>;

/** Answers the pre-receive hook (hooks/pre-receive.bash): checks the server's secret, then streams the push's pipeline. */
export async function handleHookRequest(c: Context, secret: string, onPush: HandlePush): Promise<Response> {
  if (!isSecretValid(c.req.header("authorization"), secret)) return c.text("not allowed\n", 401);
  const push = parseHookRequest(await c.req.text().catch(() => ""));
  if (!push) return c.text("bad hook request\n", 400);
  traceMark(`hook ${push.app}`);
  const output = createPushOutputStream();
  const signal = c.req.raw.signal;
  onPush(push, output, signal).then(
    (code) => output.end(code),
    (error: unknown) => {
      output.line(`skiff: internal error: ${error instanceof Error ? error.message : String(error)}`);
      output.end(1);
    },
  );
  return new Response(output.stream, { headers: { "content-type": "text/plain; charset=utf-8" } });
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
