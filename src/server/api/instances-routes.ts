import { createRoute } from "@hono/zod-openapi";
import type { AppStatus } from "../../agent/index.js";
import type { ApiApp, ApiContext } from "./api-context.js";
import { summarizeApp } from "./app-views.js";
import { requireAccess } from "./auth.js";
import { errorResponses, jsonResponse } from "./route-responses.js";
import { AppActionSchema, AppParamSchema, InstanceListSchema } from "./schemas.js";

export interface InstanceView {
  id: string;
  release: number;
  driver: string;
  status: string;
  address: string;
  pid?: number;
  since: string;
}

/** The app's instances on this server (one today; replicas later). */
export function describeInstances(status: AppStatus | undefined): InstanceView[] {
  if (status?.instance === undefined || status.release === undefined) return [];
  return [
    {
      id: status.instance,
      release: status.release,
      driver: status.driver ?? "unknown",
      status: status.status,
      address: status.address ?? "",
      ...(status.pid === undefined ? {} : { pid: status.pid }),
      since: status.since ?? "",
    },
  ];
}

/** /apps/:app/instances, and stop, start, restart of the app on this server. */
export function registerInstanceRoutes(api: ApiApp, ctx: ApiContext): void {
  const read = requireAccess(ctx.auth, "read");
  const change = requireAccess(ctx.auth, "change");

  api.openapi(
    createRoute({
      method: "get",
      path: "/apps/{app}/instances",
      summary: "The app's instances on this server",
      middleware: [read] as const,
      request: { params: AppParamSchema },
      responses: { 200: jsonResponse(InstanceListSchema, "the instances"), ...errorResponses(404, 422) },
    }),
    async (c) => {
      const { app } = c.req.valid("param");
      const { status } = await summarizeApp(ctx.views, app);
      return c.json({ app, instances: describeInstances(status) }, 200);
    },
  );

  for (const action of ["stop", "start", "restart"] as const) {
    api.openapi(
      createRoute({
        method: "post",
        path: `/apps/{app}/${action}`,
        summary: {
          stop: "Stop the app on this server; it stays stopped until current changes or start",
          start: "Let the app run again: the server's agent starts current at once",
          restart: "Restart the app on this server (a new instance of current)",
        }[action],
        middleware: [change] as const,
        request: { params: AppParamSchema },
        responses: { 200: jsonResponse(AppActionSchema, "done"), ...errorResponses(403, 404, 422) },
      }),
      async (c) => {
        const { app } = c.req.valid("param");
        await summarizeApp(ctx.views, app);
        if (action === "stop") {
          const stopped = await ctx.host.stop(app);
          return c.json(
            { app, action, ...(stopped?.instance ? { instance: stopped.instance.id } : {}) },
            200,
          );
        }
        await (action === "start" ? ctx.host.start(app) : ctx.host.restart(app));
        return c.json({ app, action }, 200);
      },
    );
  }
}
