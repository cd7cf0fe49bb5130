import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { createLogger } from "../../src/log/index.js";
import { createApi, type ApiContext } from "../../src/server/api/index.js";
import { REPO_ROOT } from "../support/paths.js";

/** The API's routes as registered: no request is made, so the context's parts are never called. */
function registeredApi(): ReturnType<typeof createApi> {
  const context = { auth: { data: "/nonexistent" }, logger: createLogger("test") } as unknown as ApiContext;
  return createApi(context);
}

it("every route of /api/v1 is in the OpenAPI document and in docs/api.md", () => {
  const api = registeredApi();
  const routes = new Set(
    api.routes
      .filter((route) => route.method !== "ALL" && !route.path.endsWith("/openapi.json"))
      .map((route) => `${route.method} ${route.path.replace(/:([a-z]+)/g, "{$1}")}`),
  );
  const document = api.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "skiff", version: "1" } });
  const documented = new Set(
    Object.entries(document.paths ?? {}).flatMap(([path, methods]) =>
      Object.keys(methods ?? {}).map((method) => `${method.toUpperCase()} ${path}`),
    ),
  );
  assert.deepEqual([...routes].sort(), [...documented].sort());
  const page = readFileSync(join(REPO_ROOT, "docs", "api.md"), "utf8");
  const missing = [...routes].filter((route) => !page.includes(`\`${route}\``));
  assert.deepEqual(missing, [], "routes docs/api.md does not describe");
});
