import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { DeliveryLog } from "../../src/server/delivery-log.js";
import { signBody } from "../../src/server/index.js";
import { createWebhookRoutes, type CurrentClaim } from "../../src/server/webhook.js";
import { tempDir } from "../support/temp.js";

const SECRET = "claim-secret";

function routes(): {
  calls: [string, CurrentClaim | undefined][];
  post: (body: object, headers?: Record<string, string>) => Promise<number>;
} {
  const calls: [string, CurrentClaim | undefined][] = [];
  const app = createWebhookRoutes({
    secret: SECRET,
    trigger: (reason, current) => void calls.push([reason, current]),
    deliveries: new DeliveryLog({ file: join(tempDir(), "deliveries.json") }),
  });
  const post = async (body: object, headers: Record<string, string> = {}): Promise<number> => {
    const text = JSON.stringify(body);
    const name = headers["x-github-event"] ? "x-hub-signature-256" : "x-skiff-signature";
    const signature: Record<string, string> = { [name]: signBody(SECRET, text) };
    const response = await app.request("/hooks/git", {
      method: "POST",
      headers: { "content-type": "application/json", ...signature, ...headers },
      body: text,
    });
    return response.status;
  };
  return { calls, post };
}

test("a signed trigger that names the release it made current passes that word on to the agent", async () => {
  const { calls, post } = routes();
  const time = new Date().toISOString();
  // The word is about `current`, whatever `release` the trigger names.
  assert.equal(await post({ app: "hello", release: 5, current: 4, time }), 202);
  assert.deepEqual(calls, [["signed trigger for hello", { app: "hello", release: 4 }]]);
});

test("a trigger without that word (staging, a GitHub push) asks for a fetch only", async () => {
  const { calls, post } = routes();
  assert.equal(await post({ app: "hello", release: 5, time: new Date().toISOString() }), 202);
  assert.equal(
    await post({ ref: "refs/heads/main" }, { "x-github-event": "push", "x-github-delivery": "d-1" }),
    202,
  );
  assert.deepEqual(
    calls.map(([, current]) => current),
    [undefined, undefined],
  );
});
