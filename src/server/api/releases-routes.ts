import { createRoute } from "@hono/zod-openapi";
import { listReleases, promoteRelease, rollback, type PointerChange } from "../../store/index.js";
import type { ApiApp, ApiContext } from "./api-context.js";
import { noSuchApp } from "./app-views.js";
import { requireAccess } from "./auth.js";
import { errorResponses, jsonResponse } from "./route-responses.js";
import {
  AppParamSchema,
  PointerChangeSchema,
  PromoteSchema,
  ReleaseListSchema,
  RollbackSchema,
} from "./schemas.js";

/** /apps/:app/releases, rollback and promote: commits of current that every host follows at once. */
export function registerReleaseRoutes(api: ApiApp, ctx: ApiContext): void {
  const read = requireAccess(ctx.auth, "read");
  const change = requireAccess(ctx.auth, "change");
  const moved = (change: PointerChange): PointerChange => {
    if (change.changed) ctx.host.announce({ app: change.app, release: change.to, current: change.to });
    return change;
  };

  api.openapi(
    createRoute({
      method: "get",
      path: "/apps/{app}/releases",
      summary: "The app's releases, oldest first, with current, staging and stage verdicts",
      middleware: [read] as const,
      request: { params: AppParamSchema },
      responses: { 200: jsonResponse(ReleaseListSchema, "the releases"), ...errorResponses(404, 422) },
    }),
    async (c) => {
      const { app } = c.req.valid("param");
      const releases = await listReleases({ repo: ctx.deployRepo, app });
      if (releases.length === 0) throw noSuchApp(app);
      return c.json({ app, releases }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: "post",
      path: "/apps/{app}/rollback",
      summary: "Point current back at an earlier release (default: the one before current)",
      middleware: [change] as const,
      request: {
        params: AppParamSchema,
        body: { content: { "application/json": { schema: RollbackSchema } } },
      },
      responses: {
        200: jsonResponse(PointerChangeSchema, "current moved"),
        ...errorResponses(403, 404, 409, 422),
      },
    }),
    async (c) => {
      const { app } = c.req.valid("param");
      const { to } = c.req.valid("json");
      const change = moved(await rollback({ repo: ctx.deployRepo, app, to }));
      ctx.logger.info({ app, from: change.from, to: change.to, token: c.get("token").name }, "rollback");
      return c.json(change, 200);
    },
  );

  api.openapi(
    createRoute({
      method: "post",
      path: "/apps/{app}/promote",
      summary: "Point current at a release that passed staging (default: what staging names)",
      middleware: [change] as const,
      request: {
        params: AppParamSchema,
        body: { content: { "application/json": { schema: PromoteSchema } } },
      },
      responses: {
        200: jsonResponse(PointerChangeSchema, "current moved"),
        ...errorResponses(403, 404, 409, 422),
      },
    }),
    async (c) => {
      const { app } = c.req.valid("param");
      const body = c.req.valid("json");
      const result = await promoteRelease({
        repo: ctx.deployRepo,
        app,
        ...(body.release === undefined ? {} : { release: body.release }),
        ...(body.force ? { force: true } : {}),
      });
      const { verdict: _verdict, forced: _forced, ...change } = result;
      ctx.logger.info({ app, to: change.to, forced: result.forced, token: c.get("token").name }, "promote");
      return c.json(moved(change), 200);
    },
  );
}
