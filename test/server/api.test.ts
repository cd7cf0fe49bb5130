import assert from "node:assert/strict";
import { mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ERROR_CODES } from "../../src/errors/index.js";
import { commitAll, writeFixture } from "../support/app-repo.js";
import { waitForBody } from "../support/http.js";
import { createReadOnlyToken, gitPush, makeServedApp, serverSandbox } from "./server-harness.js";

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { responses: Record<string, { description?: string }> }>>;
}

interface ApiAnswer {
  status: number;
  type: string;
  text: string;
}

/** One request as a client sends it; an event stream is read until its first event, then closed. */
async function call(
  url: string,
  init: { method?: string; token?: string; basic?: string; body?: string; type?: string } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.basic) headers.authorization = `Basic ${Buffer.from(`x:${init.basic}`).toString("base64")}`;
  if (init.body !== undefined) headers["content-type"] = init.type ?? "application/json";
  const abort = new AbortController();
  const response = await fetch(url, {
    method: init.method ?? "GET",
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
    signal: abort.signal,
  });
  const type = response.headers.get("content-type") ?? "";
  if (type.startsWith("text/event-stream")) {
    const reader = response.body!.getReader();
    const first = await reader.read();
    abort.abort();
    return { status: response.status, type, text: Buffer.from(first.value ?? []).toString() };
  }
  return { status: response.status, type, text: await response.text() };
}

function assertCatalogued(answer: ApiAnswer, status: number, code: string): void {
  assert.equal(answer.status, status, answer.text);
  assert.match(answer.type, /^application\/json/);
  const body = JSON.parse(answer.text) as { code: string; message: string; hint: string };
  assert.equal(body.code, code, answer.text);
  assert.ok((ERROR_CODES as readonly string[]).includes(body.code));
  assert.equal(typeof body.message, "string");
  assert.ok(body.hint.length > 0, `no hint: ${answer.text}`);
}

/** Every operation of the OpenAPI document as a concrete request on the app `hello`. */
function operations(document: OpenApiDocument): { method: string; path: string }[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => ({
      method: method.toUpperCase(),
      path: path.replace("{app}", "hello"),
    })),
  );
}

/** A body each change route accepts, so a refusal is the token's and never the body's. */
function bodyFor(method: string, path: string): string | undefined {
  if (method === "GET" || method === "DELETE") return undefined;
  if (path === "/api/v1/apps") return JSON.stringify({ name: "other" });
  if (path.endsWith("/config")) return JSON.stringify({ set: { GREETING: "hi" } });
  return "{}";
}

describe("the API through real HTTP with real tokens", () => {
  it("answers no token with 401 and a read-only token's changes with 403 on every route, reads with 200, and never echoes a token", async () => {
    const sandbox = serverSandbox();
    const server = await sandbox.start([], { SKIFF_LOG_LEVEL: "debug" });
    const { dir } = await makeServedApp(join(sandbox.root, "app"), "hello", "v1");
    {
      const pushed = await gitPush(dir, server.gitUrl("hello"));
      assert.equal(pushed.code, 0, pushed.stderr);
    }
    const readOnly = await createReadOnlyToken(server.data);
    const document = JSON.parse((await call(`${server.url}/api/v1/openapi.json`)).text) as OpenApiDocument;
    const answers: ApiAnswer[] = [];
    const seen = async (answer: Promise<ApiAnswer>): Promise<ApiAnswer> => {
      answers.push(await answer);
      return answers.at(-1)!;
    };
    const ops = operations(document);
    assert.ok(ops.length >= 15, `only ${ops.length} operations`);
    for (const { method, path } of ops) {
      const url = `${server.url}${path}`;
      const body = bodyFor(method, path);
      assertCatalogued(await seen(call(url, { method, ...(body ? { body } : {}) })), 401, "ERR_SKIFF_AUTH");
      const wrong = await seen(call(url, { method, token: `${readOnly}x`, ...(body ? { body } : {}) }));
      assertCatalogued(wrong, 401, "ERR_SKIFF_AUTH");
      const asReader = await seen(call(url, { method, token: readOnly, ...(body ? { body } : {}) }));
      if (method === "GET") assert.equal(asReader.status, 200, `${method} ${path}: ${asReader.text}`);
      else assertCatalogued(asReader, 403, "ERR_SKIFF_FORBIDDEN");
    }
    // HTTP Basic with the token as password, as git sends it, works too.
    const basic = await seen(call(`${server.url}/api/v1/apps`, { basic: readOnly }));
    assert.equal(basic.status, 200);
    assert.deepEqual(
      (JSON.parse(basic.text) as { apps: { app: string; status: string }[] }).apps.map((a) => [
        a.app,
        a.status,
      ]),
      [["hello", "running"]],
    );
    // The first API path still answers, with the same body.
    const old = await seen(call(`${server.url}/api/apps`, { token: readOnly }));
    assert.equal(old.text, basic.text);
    for (const answer of answers) {
      assert.ok(!answer.text.includes(readOnly) && !answer.text.includes(server.token), answer.text);
    }
    // The log (JSON lines); the startup lines above it show the push token created on the first start, once.
    const log = server
      .stderr()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .join("\n");
    assert.match(log, /"level":20/, "the server logged at debug level");
    assert.match(log, /"msg":"git request"/);
    assert.ok(!log.includes(readOnly), "a token in the server's log");
    assert.ok(!log.includes(server.token), "the push token in the server's log");
  });

  it("answers every failure with {code, message, hint} from the catalogue, and an unknown one with a 500 that says it is a bug and a logged stack", async () => {
    const sandbox = serverSandbox();
    const server = await sandbox.start([], { SKIFF_LOG_LEVEL: "error" });
    const { dir } = await makeServedApp(join(sandbox.root, "app"), "hello", "v1");
    {
      const pushed = await gitPush(dir, server.gitUrl("hello"));
      assert.equal(pushed.code, 0, pushed.stderr);
    }
    const api = `${server.url}/api/v1`;
    const token = server.token;
    assertCatalogued(await call(`${api}/nothing-here`, { token }), 404, "ERR_SKIFF_NOT_FOUND");
    assertCatalogued(await call(`${api}/apps/nope`, { token }), 404, "ERR_SKIFF_NO_SUCH_APP");
    assertCatalogued(await call(`${api}/apps/Not_An_App`, { token }), 422, "ERR_SKIFF_REQUEST_INVALID");
    const post = { method: "POST", token };
    assertCatalogued(
      await call(`${api}/apps`, { ...post, body: '{"name":' }),
      400,
      "ERR_SKIFF_REQUEST_INVALID",
    );
    assertCatalogued(
      await call(`${api}/apps`, { ...post, body: '{"name":"x"}', type: "text/plain" }),
      415,
      "ERR_SKIFF_REQUEST_INVALID",
    );
    const invalid = await call(`${api}/apps`, { ...post, body: '{"name": 7}' });
    assertCatalogued(invalid, 422, "ERR_SKIFF_REQUEST_INVALID");
    assert.deepEqual(
      (JSON.parse(invalid.text) as { data: { issues: { path: string }[] } }).data.issues.map((i) => i.path),
      ["json.name"],
    );
    assertCatalogued(
      await call(`${api}/apps`, { ...post, body: '{"name":"hello"}' }),
      409,
      "ERR_SKIFF_APP_EXISTS",
    );
    assertCatalogued(
      await call(`${api}/apps/hello/rollback`, { ...post, body: "{}" }),
      409,
      "ERR_SKIFF_NOTHING_TO_ROLL_BACK",
    );
    assertCatalogued(
      await call(`${api}/apps/hello/rollback`, { ...post, body: '{"to": 9}' }),
      404,
      "ERR_SKIFF_NO_SUCH_RELEASE",
    );
    // A fault nobody planned for: the token file is a directory. The answer says it is a bug, not what broke.
    const tokens = join(server.data, "tokens.json");
    renameSync(tokens, `${tokens}.saved`);
    mkdirSync(tokens);
    const bug = await call(`${api}/apps`, { token });
    assertCatalogued(bug, 500, "ERR_SKIFF_INTERNAL");
    const { message, data } = JSON.parse(bug.text) as { message: string; data: { requestId: string } };
    assert.match(message, /this is a bug/);
    // The log is written asynchronously: wait (bounded) for the line.
    const loggedLine = (): string | undefined =>
      server
        .stderr()
        .split("\n")
        .find((line) => line.includes(data.requestId));
    const deadline = Date.now() + 5000;
    while (loggedLine() === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const logged = loggedLine();
    assert.ok(logged, "the failure is logged under its request id");
    assert.match(logged, /"stack":"Error: EISDIR[^"]*\\n +at /);
    // The server keeps serving once the fault is gone.
    renameSync(tokens, `${tokens}.dir`);
    renameSync(`${tokens}.saved`, tokens);
    assert.equal((await call(`${api}/apps`, { token })).status, 200);
  });

  it("serves an OpenAPI 3.1 document whose operations all answer, each with its path parameters and error answers", async () => {
    const sandbox = serverSandbox();
    const server = await sandbox.start();
    const { dir } = await makeServedApp(join(sandbox.root, "app"), "hello", "v1");
    {
      const pushed = await gitPush(dir, server.gitUrl("hello"));
      assert.equal(pushed.code, 0, pushed.stderr);
    }
    writeFixture(dir, "serve", "v2");
    commitAll(dir, "v2");
    {
      const pushed = await gitPush(dir, server.gitUrl("hello"));
      assert.equal(pushed.code, 0, pushed.stderr);
    }
    const response = await call(`${server.url}/api/v1/openapi.json`);
    assert.equal(response.status, 200);
    const document = JSON.parse(response.text) as OpenApiDocument & {
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { scheme: string }> };
    };
    assert.equal(document.openapi, "3.1.0");
    assert.equal(document.components.securitySchemes.token?.scheme, "bearer");
    const refs = [...response.text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    for (const ref of refs) assert.ok(document.components.schemas[ref], `dangling $ref ${ref}`);
    for (const [path, methods] of Object.entries(document.paths)) {
      assert.ok(path.startsWith("/api/v1/"), path);
      for (const [method, operation] of Object.entries(methods)) {
        const parameters =
          (operation as { parameters?: { name: string; in: string; required?: boolean }[] }).parameters ?? [];
        for (const name of [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]))
          assert.ok(
            parameters.some((p) => p.name === name && p.in === "path" && p.required),
            `${method} ${path}: {${name}}`,
          );
        assert.ok(
          operation.responses["401"] && operation.responses["500"],
          `${method} ${path}: error answers`,
        );
        assert.ok(
          Object.values(operation.responses).every((r) => r.description),
          `${method} ${path}: descriptions`,
        );
      }
    }
    // Every documented operation exists: none answers "no such route" (a deploy token, real bodies).
    for (const { method, path } of operations(document)) {
      if (method === "DELETE") continue; // destroying is tested in the CLI's test
      const body = bodyFor(method, path);
      const answer = await call(`${server.url}${path}`, {
        method,
        token: server.token,
        ...(body ? { body } : {}),
      });
      assert.ok(
        answer.status < 400 || !answer.text.includes("ERR_SKIFF_NOT_FOUND"),
        `${method} ${path}: ${answer.text}`,
      );
      assert.ok(answer.status < 500, `${method} ${path}: ${answer.text}`);
    }
    await waitForBody(`${server.url}/healthz`);
  });
});
