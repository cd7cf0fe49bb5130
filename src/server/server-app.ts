import type { IncomingMessage } from "node:http";
import { Hono } from "hono";
import type { Logger } from "../log/index.js";
import { API_BASE, createApi, type ApiContext } from "./api/index.js";
import { parseGitPath, serveGit, type GitHttpOptions } from "./git-http.js";
import { HOOK_PATH, handleHookRequest, type HandlePush } from "./hook-endpoint.js";
import { gitServiceOf, type ServerMetrics } from "./metrics.js";
import { createWebhookRoutes, type WebhookOptions } from "./webhook.js";

export interface ServerAppOptions {
  git: GitHttpOptions;
  onPush: HandlePush;
  api: ApiContext;
  webhook: WebhookOptions;
  metrics: ServerMetrics;
  logger: Logger;
}

type Env = { Bindings: { incoming: IncomingMessage } };

/** Every route of skiff server: git, the hook callback, webhooks, the API, health and metrics. */
export function createServerApp(options: ServerAppOptions): Hono<Env> {
  const app = new Hono<Env>();
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/metrics", async (c) =>
    c.text(await options.metrics.scrape(), 200, {
      "content-type": options.metrics.registry.contentType,
    }),
  );
  const api = createApi(options.api);
  // The first API's path, kept for its clients: the same answer as /api/v1/apps.
  app.get("/api/apps", (c) => api.request(`${API_BASE}/apps`, { headers: c.req.raw.headers }));
  app.route("/", api);
  app.post(HOOK_PATH, (c) => handleHookRequest(c, options.git.hookSecret, options.onPush));
  app.route("/", createWebhookRoutes(options.webhook));
  app.all("/*", async (c) => {
    const url = new URL(c.req.url);
    const target = parseGitPath(url.pathname, url.searchParams);
    if (!target) return c.json({ error: "not found" }, 404);
    const response = await serveGit(c, options.git);
    const service = gitServiceOf(url.pathname, url.searchParams);
    const repo = target.repo === "deploy" ? "deploy" : "app";
    options.metrics.gitRequests.inc({ repo, service, status: String(response.status) });
    options.logger.debug(
      { repo: target.repo, service, status: response.status, method: c.req.method },
      "git request",
    );
    return response;
  });
  return app;
}
