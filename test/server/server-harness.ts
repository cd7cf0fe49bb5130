import { stopHost } from "../support/stop-host.js";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { stopApp } from "../../src/agent/index.js";
import { defaultSkiffYml, makeAppRepo } from "../support/app-repo.js";
import { freePort } from "../support/http.js";
import { SKIFF_BIN } from "../support/paths.js";
import { skiffOk } from "../support/run-skiff.js";

export interface RunningServer {
  url: string;
  token: string;
  data: string;
  pid: number;
  /** kill -9 of the server (a crash); its agent's instances keep running. */
  crash(): Promise<void>;
  /** http://git:TOKEN@host:port/<app>.git */
  gitUrl(app: string, token?: string): string;
  /** Everything the server wrote on stderr so far (its logs, at SKIFF_LOG_LEVEL). */
  stderr(): string;
  stop(): Promise<void>;
}

export interface ServerSandbox {
  /** A temp dir for this test: the server's data and the app repositories. */
  root: string;
  /** `env`: added to the server's environment (e.g. SKIFF_TRACE_PROCESSES). */
  start(extraArgs?: readonly string[], env?: NodeJS.ProcessEnv): Promise<RunningServer>;
  /** Starts a server again on the data dir of one that stopped (or crashed); it keeps the same token. */
  restart(previous: RunningServer, extraArgs?: readonly string[]): Promise<RunningServer>;
}

/**
 * A temp dir and the `skiff server`s started in it; after the test file the servers stop, the
 * instances their agents started are stopped, and then the dir is removed (in that order).
 */
export function serverSandbox(): ServerSandbox {
  const root = mkdtempSync(join(tmpdir(), "skiff-server-test-"));
  const servers: RunningServer[] = [];
  after(async () => {
    for (const server of servers) await server.stop();
    if (process.env.SKIFF_KEEP_TMP !== "1") rmSync(root, { recursive: true, force: true });
  });
  return {
    root,
    start: async (extraArgs = [], env = {}) => {
      const server = await startSkiffServer(join(root, `data-${servers.length}`), extraArgs, env);
      servers.push(server);
      return server;
    },
    restart: async (previous, extraArgs = []) => {
      const server = await startSkiffServer(previous.data, extraArgs, {}, previous.token);
      servers.push(server);
      return server;
    },
  };
}

/** Starts the real `skiff server` CLI on a free port. */
async function startSkiffServer(
  data: string,
  extraArgs: readonly string[],
  env: NodeJS.ProcessEnv,
  knownToken?: string,
): Promise<RunningServer> {
  const child = spawn(
    process.execPath,
    [SKIFF_BIN, "server", "--data", data, "--listen", "127.0.0.1:0", "--json", "--poll", "1h", ...extraArgs],
    { env: { ...process.env, SKIFF_LOG_LEVEL: "silent", ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const startup = await readStartup(child, 15_000);
  const started = { ...startup, token: startup.token ?? knownToken ?? "" };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await stopInstances(join(data, "agent"));
  };
  const gitUrl = (app: string, token = started.token): string =>
    `${started.url.replace("http://", `http://git:${token}@`)}/${app}.git`;
  const crash = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  };
  return {
    url: started.url,
    token: started.token,
    data,
    pid: child.pid!,
    crash,
    gitUrl,
    stderr: () => stderr,
    stop,
  };
}

function readStartup(child: ChildProcess, timeoutMs: number): Promise<{ url: string; token?: string }> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`skiff server did not start: ${stderr}`)), timeoutMs);
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      try {
        const parsed = JSON.parse(stdout) as { url: string; token?: string };
        clearTimeout(timer);
        resolve(parsed);
      } catch {
        // Not all of the JSON has arrived yet.
      }
    });
    child.once("exit", (code) => reject(new Error(`skiff server exited ${code}: ${stderr}`)));
  });
}

/** Stops every app the server's agent runs (instances and proxies outlive the server by design). */
async function stopInstances(agentData: string): Promise<void> {
  let apps: string[] = [];
  try {
    const state = JSON.parse(readFileSync(join(agentData, "state.json"), "utf8")) as {
      apps?: Record<string, unknown>;
    };
    apps = Object.keys(state.apps ?? {});
  } catch {
    // No app was deployed; the door may run all the same.
  }
  for (const app of apps) await stopApp(agentData, app).catch(() => undefined);
  // The front door, and an instance a swap in flight started but never recorded, outlive the
  // server by design too.
  stopHost(agentData);
}

/** An app repository that publishes on a free port (tests run in parallel). */
export async function makeServedApp(
  dir: string,
  app: string,
  version: string,
  test?: string,
): Promise<{ dir: string; port: number }> {
  const port = await freePort();
  // The public address is the front proxy's; the instance itself gets a fresh port per deploy.
  let yml = defaultSkiffYml(app, `  publish: 127.0.0.1:${port}\n`);
  if (test !== undefined) yml = yml.replace(/ {2}test: .*/, `  test: ${test}`);
  makeAppRepo(dir, { app, version, skiffYml: yml });
  return { dir, port };
}

/** A new read-only token of the server in `data` (skiff server token create --read-only). */
export async function createReadOnlyToken(data: string): Promise<string> {
  const created = await skiffOk(["server", "token", "create", "--data", data, "--read-only", "--json"]);
  return (JSON.parse(created.stdout) as { token: string }).token;
}

export interface PushRun {
  code: number | null;
  stderr: string;
}

/** `git push URL main` as a user runs it; `onStderr` sees the remote: lines as they arrive. */
export function gitPush(cwd: string, url: string, onStderr?: (all: string) => void): Promise<PushRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["push", "--porcelain", url, "HEAD:refs/heads/main"], {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr?.(stderr);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}
