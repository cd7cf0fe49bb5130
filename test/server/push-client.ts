import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { BuildListing } from "../../src/build/index.js";
import { listServerBuilds } from "../../src/server/server-builds.js";
import { gitSync } from "../support/app-repo.js";

/** A `git push` running in its own process group: killed as a closed laptop or a Ctrl-C would. */
export interface PushProcess {
  /** Resolves once the pusher's output matches (the `remote:` lines as they arrive). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGKILL to git push and its helpers (git-remote-http), all at once. */
  kill(): Promise<void>;
  done: Promise<{ code: number | null; output: string }>;
  output(): string;
}

export function startPush(cwd: string, url: string): PushProcess {
  const child = spawn("git", ["push", "--porcelain", url, "HEAD:refs/heads/main"], {
    cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const done = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, output })),
  );
  return {
    output: () => output,
    done,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(output)) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`git push never printed ${pattern}:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        check();
        void done.then(() => {
          if (!pattern.test(output)) {
            clearTimeout(timer);
            reject(new Error(`git push ended without printing ${pattern}:\n${output}`));
          }
        });
      }),
    kill: async () => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      await done;
    },
  };
}

/** main of the app's repository on the server. */
export function appMain(data: string, app: string): string | undefined {
  try {
    return gitSync(join(data, "apps", `${app}.git`), ["rev-parse", "--verify", "--quiet", "refs/heads/main"]);
  } catch {
    return undefined;
  }
}

/** What the deployment repository says of an app: current, and whether a manifest names `commit`. */
export function deployedState(
  data: string,
  app: string,
  commit?: string,
): { current?: number; hasCommit: boolean } {
  const repo = join(data, "deploy.git");
  let current: number | undefined;
  try {
    current = Number(gitSync(repo, ["show", `main:${app}/current`]));
  } catch {
    return { hasCommit: false };
  }
  if (commit === undefined) return { current, hasCommit: false };
  const manifests = gitSync(repo, ["ls-tree", "-r", "--name-only", "main", `${app}/releases`])
    .split("\n")
    .filter((path) => path.endsWith("/manifest.json"));
  const hasCommit = manifests.some((path) => gitSync(repo, ["show", `main:${path}`]).includes(commit));
  return { current, hasCommit };
}

/** The current release's manifest names `commit`. */
export function currentIs(data: string, app: string, commit: string): boolean {
  const { current } = deployedState(data, app);
  if (current === undefined) return false;
  return gitSync(join(data, "deploy.git"), [
    "show",
    `main:${app}/releases/${current}/manifest.json`,
  ]).includes(commit);
}

export interface ServerEvent {
  type: string;
  app?: string;
  message: string;
  data?: Record<string, unknown>;
}

/** The server's own events (DATA/events.jsonl). */
export function serverEvents(data: string): ServerEvent[] {
  try {
    return readFileSync(join(data, "events.jsonl"), "utf8")
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as ServerEvent);
  } catch {
    return [];
  }
}

/** Waits for the server's event of `type` that matches; returns it. */
export async function waitForServerEvent(
  data: string,
  match: (event: ServerEvent) => boolean,
  timeoutMs = 60_000,
): Promise<ServerEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = serverEvents(data).find(match);
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(`no such server event; saw:\n${JSON.stringify(serverEvents(data), null, 1)}`);
    await sleep(50);
  }
}

/** Quarantines (git's and skiff's) left in a repository's object directory. */
export function quarantinesIn(repo: string): string[] {
  return readdirSync(join(repo, "objects")).filter((name) => name.startsWith("tmp_objdir-"));
}

/** The builds a server kept for an app, newest first, as `skiff builds` reads them. */
export function serverBuilds(data: string, app: string): BuildListing[] {
  return listServerBuilds(data, app)[0]?.builds ?? [];
}
