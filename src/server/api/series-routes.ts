import { createRoute } from "@hono/zod-openapi";
import { appExists } from "../apps.js";
import type { ApiApp, ApiContext } from "./api-context.js";
import { noSuchApp } from "./app-views.js";
import { requireAccess } from "./auth.js";
import { errorResponses, jsonResponse } from "./route-responses.js";
import { AppParamSchema, SeriesQuerySchema, SeriesSchema } from "./schemas.js";

const WINDOWS = { "5m": 300_000, "15m": 900_000, "1h": 3_600_000 } as const;

/** /apps/:app/series: the app's traffic over the last hour, sampled by the server (the dashboard's charts). */
export function registerSeriesRoutes(api: ApiApp, ctx: ApiContext): void {
  api.openapi(
    createRoute({
      method: "get",
      path: "/apps/{app}/series",
      summary: "Requests per second, error rate, p50/p95 latency, instances and open connections over time",
      middleware: [requireAccess(ctx.auth, "read")] as const,
      request: { params: AppParamSchema, query: SeriesQuerySchema },
      responses: { 200: jsonResponse(SeriesSchema, "the samples, as columns"), ...errorResponses(404, 422) },
    }),
    (c) => {
      const { app } = c.req.valid("param");
      const windowMs = WINDOWS[c.req.valid("query").window ?? "1h"];
      const series = ctx.series.series(app, windowMs);
      if (series.time.length === 0 && !appExists(ctx.data, app)) throw noSuchApp(app);
      return c.json({ app, windowMs, intervalMs: ctx.series.intervalMs, ...series }, 200);
    },
  );
}
