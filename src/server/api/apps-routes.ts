import { createRoute } from "@hono/zod-openapi";
import { listReleases } from "../../store/index.js";
import { createApp } from "../apps.js";
import type { ApiApp, ApiContext } from "./api-context.js";
import { summarizeApp, summarizeApps } from "./app-views.js";
import { requireAccess } from "./auth.js";
import { destroyServerApp } from "./destroy-server-app.js";
import { describeInstances } from "./instances-routes.js";
import { errorResponses, jsonResponse } from "./route-responses.js";
import {
  AppInfoSchema,
  AppListSchema,
  AppParamSchema,
  CreateAppSchema,
  CreatedAppSchema,
  DestroyedAppSchema,
  DestroyQuerySchema,
} from "./schemas.js";

/** /apps: list, info, create, destroy. */
export function registerAppRoutes(api: ApiApp, ctx: ApiContext): void {
  const read = requireAccess(ctx.auth, "read");
  const change = requireAccess(ctx.auth, "change");

  api.openapi(
    createRoute({
      method: "get",
      path: "/apps",
      summary: "Every app with its current release, status and URL",
      middleware: [read] as const,
      responses: { 200: jsonResponse(AppListSchema, "the apps, by name"), ...errorResponses() },
    }),
    async (c) => c.json({ apps: await summarizeApps(ctx.views) }, 200),
  );

  api.openapi(
    createRoute({
      method: "post",
      path: "/apps",
      summary: "Create an app (its git remote); the first push makes release 1",
      middleware: [change] as const,
      request: { body: { content: { "application/json": { schema: CreateAppSchema } }, required: true } },
      responses: {
        201: jsonResponse(CreatedAppSchema, "the app and where to push it"),
        ...errorResponses(403, 409, 422),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("json");
      await createApp({ data: ctx.data, name });
      ctx.logger.info({ app: name, token: c.get("token").name }, "app created");
      return c.json({ app: name, gitUrl: ctx.gitUrl(name) }, 201);
    },
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/apps/{app}",
      summary: "One app: status, releases, instances, the last deploy and error",
      middleware: [read] as const,
      request: { params: AppParamSchema },
      responses: { 200: jsonResponse(AppInfoSchema, "the app"), ...errorResponses(404, 422) },
    }),
    async (c) => {
      const { app } = c.req.valid("param");
      const { summary, pointers, status } = await summarizeApp(ctx.views, app);
      const releases = pointers ? await listReleases({ repo: ctx.deployRepo, app }) : [];
      return c.json(
        {
          ...summary,
          gitUrl: ctx.gitUrl(app),
          releases: releases.length,
          ...(pointers?.staging === undefined ? {} : { staging: pointers.staging }),
          instances: describeInstances(status),
          ...(status?.confirming ? { confirming: status.confirming } : {}),
          ...(status?.crashLoop ? { crashLoop: status.crashLoop } : {}),
          ...(status?.lastRefusal ? { lastRefusal: status.lastRefusal } : {}),
        },
        200,
      );
    },
  );

  api.openapi(
    createRoute({
      method: "delete",
      path: "/apps/{app}",
      summary:
        "Destroy an app: stopped on this server now and on every follower; releases kept unless purge=true",
      middleware: [change] as const,
      request: { params: AppParamSchema, query: DestroyQuerySchema },
      responses: {
        200: jsonResponse(DestroyedAppSchema, "the app is gone"),
        ...errorResponses(403, 404, 409, 422),
      },
    }),
    async (c) => {
      const { app } = c.req.valid("param");
      const purge = c.req.valid("query").purge === "true";
      const destroyed = await destroyServerApp(ctx, app, purge);
      ctx.logger.info({ app, purge, token: c.get("token").name }, "app destroyed");
      return c.json(destroyed, 200);
    },
  );
}
