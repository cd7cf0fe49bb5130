import { createRoute } from "@hono/zod-openapi";
import { readEventLog } from "../../events/index.js";
import type { ApiApp, ApiContext } from "./api-context.js";
import { requireAccess } from "./auth.js";
import { errorResponses, eventStreamResponse, jsonResponse } from "./route-responses.js";
import { streamEvents } from "./sse.js";
import { EventListSchema, EventsQuerySchema, EventStreamQuerySchema } from "./schemas.js";

/** /events: what the server's agent did (deploys, health checks, switches …), optionally of one app. */
export function registerEventRoutes(api: ApiApp, ctx: ApiContext): void {
  const read = requireAccess(ctx.auth, "read");

  api.openapi(
    createRoute({
      method: "get",
      path: "/events",
      summary: "The last events of the server's agent, oldest first",
      middleware: [read] as const,
      request: { query: EventsQuerySchema },
      responses: { 200: jsonResponse(EventListSchema, "the events"), ...errorResponses(422) },
    }),
    (c) => {
      const { app, limit } = c.req.valid("query");
      const events = readEventLog(ctx.eventsPath, {
        ...(app === undefined ? {} : { app }),
        limit: limit ?? 100,
      });
      return c.json({ events }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/events/stream",
      summary: "Live events: `ready` once listening, then an `event` event for every event from then on",
      middleware: [read] as const,
      request: { query: EventStreamQuerySchema },
      responses: {
        200: eventStreamResponse("text/event-stream until the client closes it"),
        ...errorResponses(422),
      },
    }),
    (c) => {
      const { app } = c.req.valid("query");
      return streamEvents(c, ctx.logger, (send, signal) => {
        const stop = ctx.feed.subscribe((event) => {
          if (app === undefined || event.app === app) send("event", event);
        });
        signal.addEventListener("abort", stop, { once: true });
        send("ready", { ...(app === undefined ? {} : { app }) });
        return Promise.resolve();
      });
    },
  );
}
