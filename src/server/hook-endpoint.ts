import { timingSafeEqual } from "node:crypto";
import { isAbsolute, resolve } from "node:path";
import type { Context } from "hono";
import { z } from "zod";
import { createPushOutputStream, type PushOutput } from "./push-output.js";

export const HOOK_PATH = "/internal/hooks/pre-receive";

const ZERO = /^0+$/;

export interface RefUpdate {
  ref: string;
  old: string;
  new: string;
}

/** A push as the pre-receive hook reports it, with its objects still in quarantine. */
export interface ReceivedPush {
  app: string;
  /** Name of the token that pushed (never the token). */
  user: string;
  updates: RefUpdate[];
  gitDir: string;
  /** Where git can read the pushed objects from: the quarantine first, then the repository's store. */
  objectDirs: string[];
}

const HookBodySchema = z.object({
  app: z.string(),
  user: z.string(),
  updates: z.string().max(1_000_000),
  gitDir: z.string(),
  objectDir: z.string(),
  alternates: z.string(),
});

export type HandlePush = (push: ReceivedPush, output: PushOutput, signal: AbortSignal) => Promise<number>;

/** Answers the pre-receive hook: checks the server's secret, then streams the push's pipeline. */
export async function handleHookRequest(c: Context, secret: string, onPush: HandlePush): Promise<Response> {
  if (!isSecretValid(c.req.header("authorization"), secret)) return c.text("not allowed\n", 401);
  const parsed = HookBodySchema.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) return c.text("bad hook request\n", 400);
  const push = toReceivedPush(parsed.data);
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

function toReceivedPush(body: z.infer<typeof HookBodySchema>): ReceivedPush {
  const updates = body.updates
    .split("\n")
    .map((line) => line.trim().split(" "))
    .filter((parts): parts is [string, string, string] => parts.length === 3)
    .map(([old, next, ref]) => ({ ref, old, new: next }));
  // git gives the hook paths relative to the repository (its working directory).
  const absolute = (dir: string): string => (isAbsolute(dir) ? dir : resolve(body.gitDir, dir));
  const objectDirs = [body.objectDir, ...body.alternates.split(":"), "objects"]
    .filter((d) => d.length > 0)
    .map(absolute);
  return { app: body.app, user: body.user, updates, gitDir: body.gitDir, objectDirs };
}

/** True for an all-zero object id (a ref created or deleted). */
export function isZeroId(id: string): boolean {
  return ZERO.test(id);
}
