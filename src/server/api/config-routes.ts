import { createRoute } from "@hono/zod-openapi";
import { SkiffError } from "../../errors/index.js";
import { changeConfigVars, readConfigVars } from "../../store/index.js";
import { isSealed } from "../../trust/index.js";
import type { ApiApp, ApiContext } from "./api-context.js";
import { requireAccess } from "./auth.js";
import { errorResponses, jsonResponse } from "./route-responses.js";
import { AppParamSchema, ConfigChangedSchema, ConfigChangeSchema, ConfigSchema } from "./schemas.js";

/** Sealed values are never sent back: they are for the host that opens them. */
function shown(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, isSealed(value) ? "[sealed]" : value]),
  );
}

/** /apps/:app/config: the config vars of current; a change is a new release with the same image. */
export function registerConfigRoutes(api: ApiApp, ctx: ApiContext): void {
  const read = requireAccess(ctx.auth, "read");
  const change = requireAccess(ctx.auth, "change");

  api.openapi(
    createRoute({
      method: "get",
      path: "/apps/{app}/config",
      summary: "The config vars (deploy.env) of the app's current release",
      middleware: [read] as const,
      request: { params: AppParamSchema },
      responses: { 200: jsonResponse(ConfigSchema, "the config vars"), ...errorResponses(404, 409, 422) },
    }),
    async (c) => {
      const { app } = c.req.valid("param");
      const vars = await readConfigVars({ repo: ctx.deployRepo, app });
      return c.json({ app, release: vars.release, env: shown(vars.env) }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: "patch",
      path: "/apps/{app}/config",
      summary: "Set and unset config vars: a new release with the same image, deployed at once",
      middleware: [change] as const,
      request: {
        params: AppParamSchema,
        body: { content: { "application/json": { schema: ConfigChangeSchema } }, required: true },
      },
      responses: {
        200: jsonResponse(ConfigChangedSchema, "the new release"),
        ...errorResponses(403, 404, 409, 422),
      },
    }),
    async (c) => {
      const { app } = c.req.valid("param");
      const body = c.req.valid("json");
      if (Object.keys(body.set ?? {}).length === 0 && (body.unset ?? []).length === 0) {
        throw new SkiffError("ERR_SKIFF_REQUEST_INVALID", "the change sets and unsets nothing", {
          hint: 'send {"set": {"NAME": "value"}} or {"unset": ["NAME"]}',
        });
      }
      const result = await changeConfigVars({
        repo: ctx.deployRepo,
        app,
        ...(body.set ? { set: body.set } : {}),
        ...(body.unset ? { unset: body.unset } : {}),
      });
      if (result.changed) {
        const current = result.pointer === "current" ? result.release : undefined;
        ctx.host.announce({ app, release: result.release, ...(current === undefined ? {} : { current }) });
      }
      // Names only: values may be secrets.
      ctx.logger.info(
        {
          app,
          release: result.release,
          set: Object.keys(body.set ?? {}),
          unset: body.unset ?? [],
          token: c.get("token").name,
        },
        "config change",
      );
      return c.json({ ...result, env: shown(result.env) }, 200);
    },
  );
}
