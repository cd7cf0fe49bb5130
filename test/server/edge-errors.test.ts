import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Hono } from "hono";
import { HOOK_PATH, handleHookRequest } from "../../src/server/hook-endpoint.js";
import { listenHttp } from "../../src/server/listen.js";
import { httpGet } from "../support/http.js";
import { serverSandbox } from "./server-harness.js";

/** Sends raw request bytes on a connection of its own and returns the first line of the answer. */
function rawRequest(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(head));
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      answer += chunk;
      if (answer.includes("\r\n")) {
        socket.destroy();
        resolve(answer.split("\r\n")[0]!);
      }
    });
    socket.on("error", reject);
    socket.setTimeout(10_000, () => reject(new Error(`no answer to ${head.split("\r\n")[0]}`)));
  });
}

describe("the server's edge", () => {
  it("answers a handler that throws with a 500 JSON error saying it is a bug, and goes on serving", async () => {
    const sandbox = serverSandbox();
    const server = await sandbox.start();
    const tokens = join(server.data, "tokens.json");
    const good = readFileSync(tokens, "utf8");
    // A hand-edited token file cut short: what no handler expected.
    writeFileSync(tokens, good.slice(0, 20));
    // A git request: the edge's own handler (the API answers its routes' errors itself).
    const response = await fetch(`${server.url}/edge.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from(`git:${server.token}`).toString("base64")}` },
    });
    assert.equal(response.status, 500);
    const body = (await response.json()) as { code: string; message: string; hint: string };
    assert.equal(body.code, "ERR_SKIFF_INTERNAL");
    assert.match(body.hint, /a bug in skiff/);
    assert.ok(body.message.length > 0);
    const api = await fetch(`${server.url}/api/apps`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    assert.equal(api.status, 500);
    assert.equal(((await api.json()) as { code: string }).code, "ERR_SKIFF_INTERNAL");
    writeFileSync(tokens, good);
    assert.equal((await httpGet(`${server.url}/healthz`)).status, 200);
    const again = await fetch(`${server.url}/api/apps`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    assert.equal(again.status, 200);
  });

  it("refuses a hook request that declares more than 1 MB before reading any of it", async (t) => {
    const secret = "s".repeat(64);
    const app = new Hono();
    let pushes = 0;
    app.post(HOOK_PATH, (c) =>
      handleHookRequest(c, secret, () => {
        pushes++;
        return Promise.resolve();
      }),
    );
    const listener = await listenHttp(app, { host: "127.0.0.1", port: 0 });
    t.after(() => listener.close());
    // The headers only: an endpoint that reads the body first would wait for 2 MB that never come.
    const head = `POST ${HOOK_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${secret}\r\nContent-Length: 2000000\r\n\r\n`;
    assert.equal(await rawRequest(listener.port, head), "HTTP/1.1 413 Payload Too Large");
    const unauthenticated = head.replace(secret, "wrong");
    assert.equal(await rawRequest(listener.port, unauthenticated), "HTTP/1.1 401 Unauthorized");
    assert.equal(pushes, 0);
  });
});
