// A real `skiff server` for bench:cli's `skiff apps (remote)`: started in a temp dir with one app,
// stopped with its front door afterwards (the door outlives the server by design).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { frontDoorDir, stopFrontDoor } from "../src/proxy/index.js";

export interface BenchServer {
  url: string;
  token: string;
  stop(): Promise<void>;
}

async function readAddress(child: ChildProcess): Promise<{ url: string; token: string }> {
  let stdout = "";
  for await (const chunk of child.stdout!) {
    stdout += String(chunk);
    try {
      return JSON.parse(stdout) as { url: string; token: string };
    } catch {
      // more to come
    }
  }
  throw new Error(`skiff server did not start (exit ${child.exitCode ?? child.signalCode})`);
}

/** Starts `skiff server --data DIR` on a free loopback port and creates app `hello` on it through the CLI. */
export async function startBenchServer(skiff: string, dir: string): Promise<BenchServer> {
  const data = join(dir, "server");
  const env = { ...process.env, SKIFF_LOG_LEVEL: "silent", HOME: dir, XDG_CONFIG_HOME: join(dir, "config") };
  const child = spawn(
    process.execPath,
    [skiff, "server", "--data", data, "--listen", "127.0.0.1:0", "--json"],
    { env, stdio: ["ignore", "pipe", "ignore"] },
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await stopFrontDoor(frontDoorDir(join(data, "agent")));
  };
  try {
    const { url, token } = await readAddress(child);
    const created = spawnSync(process.execPath, [skiff, "apps:create", "hello"], {
      env: { ...env, SKIFF_URL: url, SKIFF_TOKEN: token },
      encoding: "utf8",
      timeout: 60_000,
    });
    if (created.status !== 0) throw new Error(`skiff apps:create hello failed:\n${created.stderr}`);
    return { url, token, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
