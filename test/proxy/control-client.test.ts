import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import { test } from "node:test";
import { requestControl } from "../../src/proxy/control-client.js";
import { controlSocketPath } from "../../src/proxy/index.js";
import { tempDir } from "../support/temp.js";

test("each control request opens a connection of its own: none is reused after the server may have closed it", async () => {
  const dir = tempDir();
  let connections = 0;
  // A server that keeps connections open (HTTP keep-alive), as the door's and a proxy's control servers do.
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"ok":true}\n');
  });
  server.on("connection", () => connections++);
  server.listen(controlSocketPath(dir));
  await once(server, "listening");
  try {
    for (let i = 0; i < 3; i++) {
      const answer = await requestControl(dir, { method: "GET", path: "/status" });
      assert.deepEqual(answer, { status: 200, json: { ok: true } });
    }
    assert.equal(connections, 3);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
