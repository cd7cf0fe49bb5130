import { createRoute, z } from "@hono/zod-openapi";
import type { ApiApp, ApiContext } from "./api-context.js";
import { requireAccess } from "./auth.js";
import { errorResponses, jsonResponse } from "./route-responses.js";

const FleetQuerySchema = z.object({ app: z.string().optional() });
const FleetStatusSchema = z
  .object({
    /** false: the server was started without --fleet (no hosts, no rollouts). */
    enabled: z.boolean(),
    revision: z.string(),
    hosts: z.array(z.record(z.string(), z.unknown())),
    apps: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi("FleetStatus");

/** /fleet: the hosts of the server's fleet in etcd and each app's rollout (skiff fleet status). */
export function registerFleetRoutes(api: ApiApp, ctx: ApiContext): void {
  api.openapi(
    createRoute({
      method: "get",
      path: "/fleet",
      summary: "The fleet the server's agent is part of (skiff server --fleet): hosts, apps, rollouts",
      middleware: [requireAccess(ctx.auth, "read")] as const,
      request: { query: FleetQuerySchema },
      responses: { 200: jsonResponse(FleetStatusSchema, "the fleet"), ...errorResponses(422) },
    }),
    async (c) => {
      if (ctx.fleet === undefined) return c.json({ enabled: false, revision: "", hosts: [], apps: [] }, 200);
      const { app } = c.req.valid("query");
      const { readFleetStatus } = await import("../../fleet/index.js");
      const status = await readFleetStatus({ ...ctx.fleet, ...(app === undefined ? {} : { app }) });
      return c.json(
        { enabled: true, ...(status as unknown as Omit<z.infer<typeof FleetStatusSchema>, "enabled">) },
        200,
      );
    },
  );
}
