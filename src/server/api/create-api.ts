import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { SkiffError } from "../../errors/index.js";
import type { ApiApp, ApiContext, ApiEnv } from "./api-context.js";
import { answerError } from "./api-error.js";
import { registerAppRoutes } from "./apps-routes.js";
import { requireAccess } from "./auth.js";
import { registerConfigRoutes } from "./config-routes.js";
import { registerEventRoutes } from "./events-routes.js";
import { registerFleetRoutes } from "./fleet-routes.js";
import { registerInstanceRoutes } from "./instances-routes.js";
import { registerLogRoutes } from "./logs-routes.js";
import { registerReleaseRoutes } from "./releases-routes.js";
import { registerSeriesRoutes } from "./series-routes.js";
import { errorResponses, jsonResponse } from "./route-responses.js";
import { WhoAmISchema } from "./schemas.js";

export const API_BASE = "/api/v1";

/** Where the issues of a request that failed its schema are (paths and messages, never the values sent). */
function invalidRequest(error: ZodError, target: string): SkiffError {
  const issues = error.issues.slice(0, 20).map((issue) => ({
    path: [target, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
  const first = issues[0];
  return new SkiffError(
    "ERR_SKIFF_REQUEST_INVALID",
    `the request's ${first?.path ?? target} is invalid: ${first?.message ?? "it does not match the schema"}`,
    { hint: "see docs/api.md or GET /api/v1/openapi.json for what this route takes", data: { issues } },
  );
}

/** The HTTP errors hono raises itself (malformed JSON, a body without its content type) in the catalogue. */
function fromHttpException(error: HTTPException): SkiffError {
  return new SkiffError("ERR_SKIFF_REQUEST_INVALID", error.message || `HTTP ${error.status}`, {
    hint:
      error.status === 415
        ? "send the body as JSON with Content-Type: application/json"
        : "send a JSON body (docs/api.md)",
    data: { status: error.status },
  });
}

/** /api/v1: the skiff server's API (docs/api.md); the OpenAPI document is made from the same schemas. */
export function createApi(ctx: ApiContext): ApiApp {
  const api = new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) throw invalidRequest(result.error, result.target);
    },
  }).basePath(API_BASE) as ApiApp;
  api.onError((error, c) =>
    error instanceof HTTPException
      ? answerError(c, fromHttpException(error), ctx.logger, error.status === 415 ? 415 : 400)
      : answerError(c, error, ctx.logger),
  );
  api.openAPIRegistry.registerComponent("securitySchemes", "token", {
    type: "http",
    scheme: "bearer",
    description:
      "a token of skiff server token create (read-only tokens may only read); HTTP Basic with the token as password works too",
  });

  api.openapi(
    createRoute({
      method: "get",
      path: "/whoami",
      summary: "The token this request was made with (its name, never the token)",
      middleware: [requireAccess(ctx.auth, "read")] as const,
      responses: { 200: jsonResponse(WhoAmISchema, "the token's record"), ...errorResponses() },
    }),
    (c) => {
      const { name, id, readOnly, created } = c.get("token");
      return c.json({ name, id, readOnly, created }, 200);
    },
  );
  registerAppRoutes(api, ctx);
  registerReleaseRoutes(api, ctx);
  registerConfigRoutes(api, ctx);
  registerInstanceRoutes(api, ctx);
  registerLogRoutes(api, ctx);
  registerEventRoutes(api, ctx);
  registerFleetRoutes(api, ctx);
  registerSeriesRoutes(api, ctx);

  api.get("/openapi.json", (c) =>
    c.json(
      api.getOpenAPI31Document({
        openapi: "3.1.0",
        info: {
          title: "skiff server API",
          version: "1",
          description:
            "Apps, releases, config vars, instances, logs and events of a skiff server (docs/api.md).",
        },
        security: [{ token: [] }],
      }),
    ),
  );
  api.all("/*", (c) => {
    throw new SkiffError("ERR_SKIFF_NOT_FOUND", `no API route ${c.req.method} ${c.req.path}`, {
      hint: `the routes are listed in ${API_BASE}/openapi.json and docs/api.md`,
    });
  });
  return api;
}
