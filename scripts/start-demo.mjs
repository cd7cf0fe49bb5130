// npm start: skiff server on an embedded default (data in .skiff/demo) with examples/hello ready to push.
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// The server's JSON logs would bury the instructions below; SKIFF_LOG_LEVEL=info shows them.
process.env.SKIFF_LOG_LEVEL ??= "warn";
const { startApp, stopApp } = await import("../dist/src/agent/index.js");
const { createApp, createToken, startServer } = await import("../dist/src/server/index.js");

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const data = join(root, ".skiff", "demo");
const agentData = join(data, "agent");
const host = "127.0.0.1";
const say = (text) => process.stderr.write(text + "\n");

/** 7070, or the next port that is free on 127.0.0.1 (up to 7099). */
async function pickPort(first) {
  for (let port = first; port < first + 30; port++) {
    const free = await new Promise((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, host, () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port between ${first} and ${first + 29} on ${host}`);
}

/** The apps the embedded agent ran before (state.json), so npm start brings them back and Ctrl-C stops them. */
function knownApps() {
  const file = join(agentData, "state.json");
  if (!existsSync(file)) return [];
  return Object.keys(JSON.parse(readFileSync(file, "utf8")).apps ?? {});
}

// The last Ctrl-C stopped them (skiff stop); let the agent's first pass start them again.
for (const app of knownApps()) await startApp(agentData, app);
const port = await pickPort(7070);
if (port !== 7070) say(`port 7070 is taken; using ${port}`);
const server = await startServer({ data, listen: `${host}:${port}` });
await createApp({ data, name: "hello", existingOk: true });
// Tokens are kept hashed, so a restarted demo makes a new one to print.
const token = server.createdToken ?? createToken({ data, name: "demo" }).token;
const example = join(root, "examples", "hello");

say(`
skiff server is running on ${server.url} (data: ${data})
push token: ${token}

In a second terminal, push the example app:

  cd "$(mktemp -d)" && cp -r ${example}/. . && rm -rf _build
  git init -q -b main && git add -A && git commit -qm hello
  git remote add skiff http://git:${token}@${host}:${port}/hello.git
  git push skiff main

The push ends with the URL where hello serves (http://127.0.0.1:8080).
Change VERSION in the Makefile, commit, and push again to see a new release take over.
Ctrl-C stops the server and the apps it runs.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  say("stopping skiff server and its apps (a deploy in its confirmation window finishes first, up to 30s) …");
  await server.close();
  for (const app of knownApps())
    await stopApp(agentData, app).catch((error) => say(`${app}: ${error.message}`));
  say("stopped");
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
