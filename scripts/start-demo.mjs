// npm start: skiff server on an embedded default (data in .skiff/demo) with examples/hello ready to push.
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// The server's JSON logs would bury the instructions below; SKIFF_LOG_LEVEL=info shows them.
process.env.SKIFF_LOG_LEVEL ??= "warn";
const { startApp, stopApp } = await import("../dist/src/agent/index.js");
const { createApp, createToken, startServer } = await import("../dist/src/server/index.js");
const { frontDoorDir, stopFrontDoor } = await import("../dist/src/proxy/index.js");

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// SKIFF_DEMO_DATA: another data dir (the tests use one of their own).
const data = process.env.SKIFF_DEMO_DATA ?? join(root, ".skiff", "demo");
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
// The demo's push token lives in a file of its own (mode 600): printed on the first start only,
// read from the file by the commands below afterwards.
const tokenFile = join(data, "demo-token");
let firstToken;
if (!existsSync(tokenFile)) {
  firstToken = server.createdToken ?? createToken({ data, name: "demo" }).token;
  writeFileSync(tokenFile, `${firstToken}\n`, { mode: 0o600 });
  chmodSync(tokenFile, 0o600);
}
const example = join(root, "examples", "hello");
const skiff = join(root, "bin", "skiff.js");
const url = `http://${host}:${port}`;

say(`
skiff server is running on ${url} (data: ${data})
${firstToken ? `push token (shown this once; kept in ${tokenFile}):\n  ${firstToken}` : `push token: in ${tokenFile}`}

In a second terminal, push the example app:

  cd "$(mktemp -d)" && cp -r ${example}/. . && rm -rf _build
  git init -q -b main && git add -A && git commit -qm hello
  git remote add skiff "http://git:$(cat ${tokenFile})@${host}:${port}/hello.git"
  git push skiff main

The push ends with the URL where hello serves (http://127.0.0.1:8080).
Change VERSION in the Makefile, commit, and push again to see a new release take over.

Operate it from anywhere (any directory, any HOME):

  alias skiff="node ${skiff}"
  skiff login ${url} --token-file ${tokenFile}
  skiff apps
  skiff logs hello --tail
  skiff rollback hello
  skiff events --tail

Dashboard: ${url}/ (log in with the push token)
API: ${url}/api/v1/openapi.json    metrics: ${url}/metrics
Ctrl-C stops the server and the apps it runs (a second Ctrl-C stops the apps at once).
`);

// On a host the front door outlives the agent (it owns the public addresses); the demo's goes with it.
const stopApps = async () => {
  for (const app of knownApps())
    await stopApp(agentData, app).catch((error) => say(`${app}: ${error.message}`));
  await stopFrontDoor(frontDoorDir(agentData)).catch((error) => say(`front door: ${error.message}`));
};
let stopping = false;
const stop = async () => {
  if (stopping) {
    // The second Ctrl-C: no more waiting for the server; the apps it started stop now, then we exit.
    say("stopping the apps now …");
    await stopApps();
    say("stopped");
    process.exit(130);
  }
  stopping = true;
  say(
    "stopping skiff server and its apps (a deploy in its confirmation window finishes first; Ctrl-C again to stop the apps now) …",
  );
  await server.close();
  await stopApps();
  say("stopped");
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
