import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { HOOK_EXIT_MARKER, writeHooks } from "../../src/server/hook-script.js";
import { parseHookRequest } from "../../src/server/hook-request.js";
import { freePort } from "../support/http.js";
import { tempDir } from "../support/temp.js";

const SECRET = "a-hook-secret-0123456789";
const OLD = "1".repeat(40);
const NEW = "2".repeat(40);

interface Recorded {
  method: string;
  url: string;
  version: string;
  authorization: string | undefined;
  body: string;
}

/** A stand-in for the server's hook endpoint: records the request, answers with `answer`. */
async function startEndpoint(
  answer: (res: ServerResponse, request: Recorded) => void,
): Promise<{ server: Server; port: number; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const recorded = {
        method: req.method ?? "",
        url: req.url ?? "",
        version: req.httpVersion,
        authorization: req.headers.authorization,
        body,
      };
      requests.push(recorded);
      answer(res, recorded);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

/** Runs the written pre-receive hook as git would: in the repository, ref updates on stdin. */
function runHook(
  hook: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(hook, [], { cwd, env: { PATH: process.env.PATH ?? "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    // A hook that refuses early (no SKIFF_HOOK_* set) exits without reading stdin: EPIPE is expected, not a failure.
    child.stdin.on("error", () => undefined);
    child.stdin.end(`${OLD} ${NEW} refs/heads/main\n`);
  });
}

function hookEnv(port: number): Record<string, string> {
  return {
    SKIFF_HOOK_HOST: "127.0.0.1",
    SKIFF_HOOK_PORT: String(port),
    SKIFF_HOOK_PATH: "/internal/hooks/pre-receive",
    SKIFF_HOOK_SECRET: SECRET,
    SKIFF_APP: "hello",
    REMOTE_USER: "push",
    GIT_OBJECT_DIRECTORY: "./objects/tmp_objdir-incoming-abc",
    GIT_ALTERNATE_OBJECT_DIRECTORIES: "./objects",
  };
}

describe("the pre-receive hook relays a push to the server", () => {
  it("sends the push with the secret, relays the streamed answer and exits with the server's code", async (t) => {
    const endpoint = await startEndpoint((res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("-----> build unix: make\n");
      setTimeout(() => res.end(`       serving\n${HOOK_EXIT_MARKER}0\n`), 50);
    });
    t.after(() => endpoint.server.close());
    const data = tempDir();
    const repo = join(data, "apps", "hello.git");
    const hook = join(writeHooks(data), "pre-receive");
    mkdirSync(repo, { recursive: true });
    const run = await runHook(hook, repo, hookEnv(endpoint.port));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "-----> build unix: make\n       serving\n");
    const [request] = endpoint.requests;
    assert.equal(request?.method, "POST");
    assert.equal(request?.url, "/internal/hooks/pre-receive");
    assert.equal(request?.authorization, `Bearer ${SECRET}`);
    const push = parseHookRequest(request?.body ?? "");
    assert.deepEqual(push, {
      app: "hello",
      user: "push",
      gitDir: repo,
      updates: [{ ref: "refs/heads/main", old: OLD, new: NEW }],
      objectDirs: [
        join(repo, "objects", "tmp_objdir-incoming-abc"),
        join(repo, "objects"),
        join(repo, "objects"),
      ],
      // The hook's parent, as git receive-pack is in a real push.
      receivePack: process.pid,
    });
  });

  it("refuses the push when the server answers with a failure code or not at all", async (t) => {
    const failing = await startEndpoint((res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(`-----> push rejected: tests failed\n${HOOK_EXIT_MARKER}1\n`);
    });
    const refusing = await startEndpoint((res) => {
      res.writeHead(401);
      res.end("not allowed\n");
    });
    t.after(() => failing.server.close());
    t.after(() => refusing.server.close());
    const data = tempDir();
    const hook = join(writeHooks(data), "pre-receive");
    const rejected = await runHook(hook, data, hookEnv(failing.port));
    assert.equal(rejected.code, 1);
    assert.match(rejected.stdout, /push rejected: tests failed/);
    const unauthorized = await runHook(hook, data, hookEnv(refusing.port));
    assert.equal(unauthorized.code, 1);
    assert.match(unauthorized.stdout, /refused the hook: HTTP\/1\.1 401/);
    const nobody = await runHook(hook, data, hookEnv(await freePort()));
    assert.equal(nobody.code, 1);
    assert.match(nobody.stdout, /did not answer the hook/);
    assert.equal(nobody.stderr, "");
    const unset = await runHook(hook, data, {});
    assert.equal(unset.code, 1);
    assert.match(unset.stdout, /deploys through skiff server/);
  });

  it("parses only complete requests", () => {
    const body = (fields: string): string => `${fields}\n\n${OLD} ${NEW} refs/heads/main\n`;
    const all = "app hello\nuser push\ngit-dir /data/apps/hello.git\nobject-dir /q\nalternates ";
    assert.equal(parseHookRequest(body(all))?.objectDirs.join(","), "/q,/data/apps/hello.git/objects");
    assert.equal(parseHookRequest(body(all.replace("user push\n", ""))), undefined);
    assert.equal(parseHookRequest(body(all.replace("/data/apps", "data/apps"))), undefined);
    assert.equal(parseHookRequest(all), undefined);
    assert.equal(parseHookRequest(body(all) + "x".repeat(1_000_001)), undefined);
  });
});
