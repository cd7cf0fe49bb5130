import { Hono, type Context, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { readApi, type ApiRequester } from "./api-call.js";
import type { AppSummary } from "../api/index.js";
import { registerActionRoutes } from "./action-routes.js";
import { showAppPage } from "./app-page.js";
import { renderAppsList } from "./apps-page.js";
import { renderPage, takeFlash } from "./layout.js";
import { registerLoginRoutes } from "./login-routes.js";
import type { Session, SessionStore } from "./sessions.js";
import { registerStaticRoutes } from "./static-files.js";

export interface DashboardOptions {
  /** The server's data dir (tokens.json). */
  data: string;
  /** The /api/v1 app: every page reads through it, every button changes through it. */
  api: ApiRequester;
  sessions: SessionStore;
}

const APP = /^[a-z][a-z0-9-]{0,62}$/;
const DASHBOARD_PATHS = ["/", "/login", "/logout", "/apps/*", "/static/*"];

/** What every page answers with: no caching, no framing, scripts and connections from this server only. */
const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header(
    "content-security-policy",
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  );
  c.header("x-frame-options", "DENY");
  c.header("referrer-policy", "same-origin");
  c.header("x-content-type-options", "nosniff");
  if (!c.req.path.startsWith("/static/")) c.header("cache-control", "no-store");
};

/** The dashboard at / of skiff server (docs/dashboard.md): server-rendered pages, small scripts, the API underneath. */
export function createDashboard(options: DashboardOptions): Hono {
  const { api, sessions } = options;
  const app = new Hono();
  // The forms send a token, a CSRF token and a release number: anything bigger is not one of them.
  const limit = bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text("request too large\n", 413) });
  // By path, never "*": mounted at / of the server, "*" would reach git pushes and the API too.
  for (const path of DASHBOARD_PATHS) app.use(path, securityHeaders, limit);
  registerStaticRoutes(app);
  registerLoginRoutes(app, options);
  registerActionRoutes(app, api, sessions);
  const page = (show: (c: Context, session: Session) => Promise<Response>) => async (c: Context) => {
    const session = sessions.of(c);
    if (session === undefined) return c.redirect("/login", 303);
    return show(c, session);
  };
  app.get(
    "/",
    page(async (c, session) => {
      const answer = await readApi<{ apps: AppSummary[] }>(c, api, "/api/v1/apps");
      // The token was revoked since login: log in again.
      if (!answer.ok && answer.status === 401) return endSession(c, sessions, session);
      const flash = takeFlash(session);
      return c.html(
        renderPage({
          title: "Apps",
          session,
          flash,
          body: renderAppsList(answer),
          scripts: ["apps-page.js"],
        }),
      );
    }),
  );
  app.get(
    "/apps/:app",
    page(async (c, session) => {
      const name = c.req.param("app") ?? "";
      if (!APP.test(name)) return c.notFound();
      return showAppPage(c, api, session, name);
    }),
  );
  return app;
}

function endSession(c: Context, sessions: SessionStore, session: Session): Response {
  sessions.end(session.id);
  return c.redirect("/login", 303);
}
