import { createHash } from "node:crypto";
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { DeliveryLog } from "./delivery-log.js";
import { readBodyCapped } from "./read-body.js";
import { isSignatureValid } from "./signature.js";

export const WEBHOOK_PATH = "/hooks/git";
export const WEBHOOK_MAX_BYTES = 25 * 1024 * 1024;
/** How far the `time` of a generic signed trigger may be from our clock. */
export const TRIGGER_FRESHNESS_MS = 5 * 60_000;

export interface WebhookOptions {
  secret: string | Buffer;
  /**
   * Asks for an immediate fetch; the agent coalesces bursts. Polling stays on regardless. `current`:
   * what a signed trigger says its sender just made current (it ends a confirmation window early).
   */
  trigger: (reason: string, current?: CurrentClaim) => void;
  deliveries: DeliveryLog;
  maxBytes?: number;
  freshnessMs?: number;
  /** Called for each answered hook (metrics, logs); never with the body or the secret. */
  onHook?: (result: WebhookResult) => void;
}

export interface WebhookResult {
  status: number;
  outcome: "triggered" | "ignored" | "replay" | "unsigned" | "too-large" | "invalid" | "stale";
  kind: "github" | "skiff";
  delivery?: string;
}

/** A signed trigger's word that `release` of `app` is current now; the fetch still decides what deploys. */
export interface CurrentClaim {
  app: string;
  release: number;
}

/** The generic trigger: what skiff server (or any CI) signs with X-Skiff-Signature. */
export const SignedTriggerSchema = z.object({
  repo: z.string().max(2000).optional(),
  /** ISO time or epoch milliseconds; a trigger outside the freshness window is refused. */
  time: z.union([z.string().max(64), z.number()]),
  release: z.number().int().positive().optional(),
  app: z.string().max(100).optional(),
  /** The release the sender made current with this change (absent when current did not move). */
  current: z.number().int().positive().optional(),
});

/** POST /hooks/git: GitHub push webhooks and skiff's own signed trigger; both only call trigger(). */
export function createWebhookRoutes(options: WebhookOptions): Hono {
  const app = new Hono();
  app.post(WEBHOOK_PATH, async (c) => {
    const result = await answerWebhook(c, options);
    options.onHook?.(result);
    return c.json({ outcome: result.outcome }, result.status as 200);
  });
  return app;
}

async function answerWebhook(c: Context, options: WebhookOptions): Promise<WebhookResult> {
  const github =
    c.req.header("x-hub-signature-256") !== undefined || c.req.header("x-github-event") !== undefined;
  const kind = github ? "github" : "skiff";
  const body = await readBodyCapped(c.req.raw, options.maxBytes ?? WEBHOOK_MAX_BYTES);
  if (body === "too-large") return { status: 413, outcome: "too-large", kind };
  const header = github ? c.req.header("x-hub-signature-256") : c.req.header("x-skiff-signature");
  if (!isSignatureValid(options.secret, body, header)) return { status: 401, outcome: "unsigned", kind };
  return github ? answerGithub(c, body, options) : answerSignedTrigger(body, options);
}

function answerGithub(c: Context, body: Uint8Array, options: WebhookOptions): WebhookResult {
  const delivery = c.req.header("x-github-delivery");
  const event = c.req.header("x-github-event") ?? "push";
  if (delivery !== undefined && !options.deliveries.remember(`github:${delivery}`)) {
    return { status: 409, outcome: "replay", kind: "github", delivery };
  }
  if (event !== "push") return { status: 202, outcome: "ignored", kind: "github", delivery };
  if (!isJson(body)) return { status: 400, outcome: "invalid", kind: "github", delivery };
  options.trigger(`github push ${delivery ?? ""}`.trim());
  return { status: 202, outcome: "triggered", kind: "github", delivery };
}

function answerSignedTrigger(body: Uint8Array, options: WebhookOptions): WebhookResult {
  let parsed: z.infer<typeof SignedTriggerSchema>;
  try {
    parsed = SignedTriggerSchema.parse(JSON.parse(Buffer.from(body).toString("utf8")));
  } catch {
    return { status: 400, outcome: "invalid", kind: "skiff" };
  }
  const time = typeof parsed.time === "number" ? parsed.time : Date.parse(parsed.time);
  if (!Number.isFinite(time) || Math.abs(Date.now() - time) > (options.freshnessMs ?? TRIGGER_FRESHNESS_MS)) {
    return { status: 401, outcome: "stale", kind: "skiff" };
  }
  // Within the freshness window the body itself is the delivery id: the same signed body twice is a replay.
  const delivery = createHash("sha256").update(body).digest("hex");
  if (!options.deliveries.remember(`skiff:${delivery}`))
    return { status: 409, outcome: "replay", kind: "skiff" };
  const claim = parsed.app !== undefined && parsed.current !== undefined;
  options.trigger(
    `signed trigger${parsed.app ? ` for ${parsed.app}` : ""}`,
    claim ? { app: parsed.app!, release: parsed.current! } : undefined,
  );
  return { status: 202, outcome: "triggered", kind: "skiff" };
}

function isJson(body: Uint8Array): boolean {
  try {
    JSON.parse(Buffer.from(body).toString("utf8"));
    return true;
  } catch {
    return false;
  }
}
