import type { IncomingMessage } from "node:http";
import { Hono } from "hono";
import type { Logger } from "../log/index.js";
import { summarizeApps, type ListAppsOptions } from "./api.js";
import { checkAccess } from "./basic-auth.js";
import { answerHandlerError } from "./edge-errors.js";
import { parseGitPath, serveGit, type GitHttpOptions } from "./git-http.js";
import { HOOK_PATH, handleHookRequest, type HandlePush } from "./hook-endpoint.js";
import { gitServiceOf, type ServerMetrics } from "./metrics.js";
import { createWebhookRoutes, type WebhookOptions } from "./webhook.js";

export interface ServerAppOptions {
  git: GitHttpOptions;
  onPush: HandlePush;
  apps: ListAppsOptions;
  webhook: WebhookOptions;
  metrics: ServerMetrics;
  logger: Logger;
}

type Env = { Bindings: { incoming: IncomingMessage } };

/** Every route of skiff server: git, the hook callback, webhooks, the API, health and metrics. */
export function createServerApp(options: ServerAppOptions): Hono<Env> {
  const app = new Hono<Env>();
  app.onError(answerHandlerError(options.logger));
  const { data } = options.git;
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/metrics", async (c) =>
    c.text(await options.metrics.registry.metrics(), 200, {
      "content-type": options.metrics.registry.contentType,
    }),
  );
  app.get("/api/apps", async (c) => {
    // A bearer token or basic auth with any read token; the API names apps and addresses.
    const header = c.req
      .header("authorization")
      ?.replace(
        /^Bearer\s+(.+)$/i,
        (_m, token: string) => `Basic ${Buffer.from(`api:${token}`).toString("base64")}`,
      );
    const access = checkAccess(data, header, "read");
    if (!access.allowed)
      return c.json(
        { error: access.reason },
        access.status,
        access.status === 401 ? { "WWW-Authenticate": 'Basic realm="skiff"' } : {},
      );
    return c.json({ apps: await summarizeApps(options.apps) });
  });
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
