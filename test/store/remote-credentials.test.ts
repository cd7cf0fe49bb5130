import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { splitCredentials } from "../../src/git/index.js";
import { isSkiffError } from "../../src/errors/index.js";
import { storeRelease } from "../../src/store/index.js";
import { tempDir } from "../support/temp.js";
import { makeStoreInput } from "./store-input.js";

describe("deployment repository URLs with a token", () => {
  it("strips the password from the URL and passes it as a header through the environment", () => {
    const access = splitCredentials("https://git:s3cret@example.test/deploy.git");
    assert.equal(access.url, "https://example.test/deploy.git");
    const values = Object.values(access.env).join("\n");
    assert.match(values, new RegExp(`Authorization: Basic ${Buffer.from("git:s3cret").toString("base64")}`));
    assert.deepEqual(splitCredentials("/srv/deploy.git"), { url: "/srv/deploy.git", env: {} });
  });

  it("sends the token as a header, never in the URL, and keeps it out of the error", async () => {
    const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
    const server = createServer((req, res) => {
      seen.push({ url: req.url ?? "", headers: req.headers });
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const dir = tempDir();
      const to = `http://git:s3cret-token@127.0.0.1:${port}/deploy.git`;
      const error: unknown = await storeRelease({ to, build: makeStoreInput(join(dir, "b1")) }).catch(
        (e: unknown) => e,
      );
      assert.ok(isSkiffError(error));
      assert.equal(error.code, "ERR_SKIFF_STORE_FAILED");
      assert.doesNotMatch(JSON.stringify(error.toJSON()) + error.message, /s3cret-token/);
      assert.ok(seen.length > 0, "git reached the server");
      assert.equal(
        seen[0]!.headers.authorization,
        `Basic ${Buffer.from("git:s3cret-token").toString("base64")}`,
      );
      assert.ok(seen.every((request) => !request.url.includes("s3cret")));
    } finally {
      server.close();
    }
  });
});
