import { join } from "node:path";
import { Hono } from "hono";
import { DeliveryLog } from "./delivery-log.js";
import { listenHttp, parseListen, type HttpListener } from "./listen.js";
import { createWebhookRoutes, type CurrentClaim, type WebhookResult } from "./webhook.js";

export interface WebhookListenerOptions {
  /** HOST:PORT (skiff agent --listen). */
  listen: string;
  /** The shared secret (skiff agent --webhook-secret-file). */
  secret: string;
  /** The agent's data dir: delivery ids are remembered in <data>/webhook-deliveries.json. */
  data: string;
  /** The agent's trigger(): an immediate, coalesced fetch (and what the sender made current). */
  trigger: (reason: string, current?: CurrentClaim) => void;
  onHook?: (result: WebhookResult) => void;
  /** The agent's metrics, served as Prometheus text at GET /metrics (docs/metrics.md). */
  metrics?: { contentType: string; scrape(): Promise<string> };
}

/** Serves POST /hooks/git, GET /healthz and GET /metrics for an agent; polling stays on beside it. */
export function startWebhookListener(options: WebhookListenerOptions): Promise<HttpListener> {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ ok: true }));
  const metrics = options.metrics;
  if (metrics)
    app.get("/metrics", async (c) =>
      c.text(await metrics.scrape(), 200, { "content-type": metrics.contentType }),
    );
  app.route(
    "/",
    createWebhookRoutes({
      secret: options.secret,
      trigger: options.trigger,
      deliveries: new DeliveryLog({ file: join(options.data, "webhook-deliveries.json") }),
      ...(options.onHook ? { onHook: options.onHook } : {}),
    }),
  );
  return listenHttp(app, parseListen(options.listen));
}
