import { createRoute } from "@hono/zod-openapi";
import type { ApiApp, ApiContext } from "./api-context.js";
import { summarizeApp } from "./app-views.js";
import { requireAccess } from "./auth.js";
import { errorResponses, eventStreamResponse, jsonResponse } from "./route-responses.js";
import { streamEvents } from "./sse.js";
import { AppParamSchema, LogsQuerySchema, LogsSchema } from "./schemas.js";

/** /apps/:app/logs: the last lines of an instance's log, or a live tail as Server-Sent Events. */
export function registerLogRoutes(api: ApiApp, ctx: ApiContext): void {
  const read = requireAccess(ctx.auth, "read");

  api.openapi(
    createRoute({
      method: "get",
      path: "/apps/{app}/logs",
      summary: "The last lines of the app's instance log (or of release N's last instance, stopped or not)",
      middleware: [read] as const,
      request: { params: AppParamSchema, query: LogsQuerySchema },
      responses: {
        200: jsonResponse(LogsSchema, "the lines, oldest first"),
        ...errorResponses(404, 409, 422),
      },
    }),
    async (c) => {
      const { app } = c.req.valid("param");
      const { lines, release } = c.req.valid("query");
      await summarizeApp(ctx.views, app);
      const tail = await ctx.host.logs(app, lines ?? 100, release);
      return c.json({ app, ...(release === undefined ? {} : { release }), lines: tail }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/apps/{app}/logs/stream",
      summary:
        "A live tail: `ready` once listening, then a `line` event ({line, instance, release}) for every line printed from then on, following the app across instance replacement",
      middleware: [read] as const,
      request: { params: AppParamSchema },
      responses: {
        200: eventStreamResponse("text/event-stream until the client closes it"),
        ...errorResponses(404, 422),
      },
    }),
    async (c) => {
      const { app } = c.req.valid("param");
      await summarizeApp(ctx.views, app);
      return streamEvents(c, ctx.logger, (send, signal) =>
        ctx.host.follow({
          app,
          signal,
          onReady: () => send("ready", { app }),
          onLine: (line) => send("line", line),
        }),
      );
    },
  );
}
