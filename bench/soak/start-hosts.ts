import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Cleanup } from "./cleanup.js";
import { accepts, freePort, getFresh } from "./net.js";
import type { RunDir } from "./run-dir.js";
import { SKIFF_BIN } from "./run-dir.js";
import { runSkiff } from "./skiff-cli.js";
import { supervise, type Supervised } from "./supervise.js";
import { mountTmpfs, unmountTmpfs } from "./tmpfs.js";

/** A deploy host of the run: the server's embedded agent, or the follower. */
export interface Host {
  name: "server" | "follower";
  /** The agent's data dir (state.json, events.jsonl, releases). */
  data: string;
}

export interface Hosts {
  url: string;
  port: number;
  pushToken: string;
  server: Supervised;
  follower: Supervised;
  hosts: Host[];
  /** The follower's data dir is a tmpfs of this run (fill-disk), or why not. */
  disk: { mounted: true; dir: string } | { mounted: false; reason: string };
  /** The server answers /api/v1 (rollback through the API), or not (skiff rollback --repo). */
  api: boolean;
}

async function createToken(dir: RunDir, args: string[]): Promise<string> {
  const run = await runSkiff(["server", "token", "create", "--data", dir.server, ...args], { env: dir.env });
  const token = run.stdout.split("\n")[0]?.trim() ?? "";
  if (run.code !== 0 || token === "") throw new Error(`skiff server token create failed: ${run.stderr}`);
  return token;
}

/** Starts skiff server (its embedded agent) and one follower agent, each under a restarting supervisor. */
export async function startHosts(
  dir: RunDir,
  options: { poll: string; diskSize: string | undefined },
  cleanup: Cleanup,
): Promise<Hosts> {
  const port = await freePort();
  const hookPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(dir.secretFile, "soak-webhook-secret\n", { mode: 0o600 });
  let disk: Hosts["disk"] = { mounted: false, reason: "fill-disk is not among the fault kinds" };
  if (options.diskSize !== undefined) {
    const reason = mountTmpfs(dir.follower, options.diskSize);
    disk = reason === undefined ? { mounted: true, dir: dir.follower } : { mounted: false, reason };
    if (reason === undefined) cleanup.add(`unmount ${dir.follower}`, () => unmountTmpfs(dir.follower));
  }
  const pushToken = await createToken(dir, ["--name", "soak"]);
  const readToken = await createToken(dir, ["--read-only", "--name", "soak-follower"]);
  const server = supervise({
    name: "server",
    command: process.execPath,
    args: [
      SKIFF_BIN,
      "server",
      "--data",
      dir.server,
      // A fixed port: a restarted server is found where it was.
      "--listen",
      `127.0.0.1:${port}`,
      "--poll",
      options.poll,
      "--follower",
      `http://127.0.0.1:${hookPort}`,
      "--webhook-secret-file",
      dir.secretFile,
    ],
    env: dir.env,
    logFile: join(dir.logs, "server.log"),
    isUp: async () => (await getFresh(`${url}/healthz`, 1000)).status === 200,
  });
  cleanup.add("stop the server", async () => void (await server.stop(10_000)));
  if ((await server.waitUp(60_000)) === undefined) throw new Error(`skiff server did not start on ${url}`);
  const follower = supervise({
    name: "follower",
    command: process.execPath,
    args: [
      SKIFF_BIN,
      "agent",
      "--repo",
      `http://git:${readToken}@127.0.0.1:${port}/deploy.git`,
      "--data",
      dir.follower,
      "--poll",
      options.poll,
      "--listen",
      `127.0.0.1:${hookPort}`,
      "--webhook-secret-file",
      dir.secretFile,
      "--host",
      "follower",
    ],
    env: dir.env,
    logFile: join(dir.logs, "follower.log"),
    isUp: () => accepts(hookPort),
  });
  cleanup.add("stop the follower", async () => void (await follower.stop(10_000)));
  if ((await follower.waitUp(60_000)) === undefined) throw new Error("the follower agent did not start");
  const api = await getFresh(`${url}/api/v1/openapi.json`, 5000).then(
    (answer) => answer.status === 200,
    () => false,
  );
  return {
    url,
    port,
    pushToken,
    server,
    follower,
    hosts: [
      { name: "server", data: join(dir.server, "agent") },
      { name: "follower", data: dir.follower },
    ],
    disk,
    api,
  };
}
