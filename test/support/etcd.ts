import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, openSync, closeSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./http.js";
import { tempDir } from "./temp.js";

/** Debian's etcd-server package. */
export const ETCD_BIN = process.env.SKIFF_ETCD_BIN ?? "/usr/bin/etcd";
const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5000;

/** Why the etcd tier cannot run here, or undefined when it can (pass to requireTier(t, "etcd", …)). */
export function etcdUnavailable(): string | undefined {
  try {
    accessSync(ETCD_BIN, constants.X_OK);
    return undefined;
  } catch {
    return `no etcd at ${ETCD_BIN} (apt-get install etcd-server)`;
  }
}

export interface EtcdServer {
  /** The client URL, e.g. http://127.0.0.1:41234. */
  url: string;
  pid(): number | undefined;
  /** SIGKILL, as a crash would; the data dir stays. */
  kill(): Promise<void>;
  /** Starts it again on the same data dir and ports. */
  restart(): Promise<void>;
  /** SIGTERM (then SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** A one-member etcd on loopback with a temp data dir: what a test's hosts coordinate through. */
export async function startEtcd(): Promise<EtcdServer> {
  const dir = tempDir("skiff-etcd-");
  const clientPort = await freePort();
  const peerPort = await freePort();
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    "--name=test",
    `--data-dir=${join(dir, "data")}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=test=${peer}`,
    "--logger=zap",
    "--log-level=warn",
  ];
  const logPath = join(dir, "etcd.log");
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const log = openSync(logPath, "a");
    const started = spawn(ETCD_BIN, args, { stdio: ["ignore", log, log] });
    closeSync(log);
    child = started;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (started.exitCode !== null || started.signalCode !== null) break;
      try {
        const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
        const body = (await response.json()) as { health?: string };
        if (body.health === "true") return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    started.kill("SIGKILL");
    await waitForExit(started);
    throw new Error(`etcd did not become healthy at ${url}:\n${readFileSync(logPath, "utf8").slice(-2000)}`);
  };

  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined) return;
    running.kill(signal);
    const timer = setTimeout(() => running.kill("SIGKILL"), STOP_GRACE_MS);
    await waitForExit(running);
    clearTimeout(timer);
  };

  await launch();
  return {
    url,
    pid: () => child?.pid,
    kill: () => end("SIGKILL"),
    restart: launch,
    stop: () => end("SIGTERM"),
  };
}
