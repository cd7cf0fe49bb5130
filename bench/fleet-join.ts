import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startGitHttpServer } from "../test/support/git-http-server.js";
import { REPO_ROOT } from "./bench-host.js";
import { BENCH_APP, ensureBenchRepository, runCommand } from "./fleet-repo.js";

const SKIFF_BIN = join(REPO_ROOT, "bin", "skiff.js");

export interface JoinOptions {
  releases: number;
  imageBytes: number;
  port: number;
  runs: number;
  /** Also join with a full mirror (what a host did before partial mirrors). */
  full: boolean;
}

export interface JoinRun {
  mirror: "partial" | "full";
  /** From starting `skiff agent` to the first answer of the current release. */
  ms: number;
  /** Bytes of the server's upload-pack answers. */
  bytes: number;
  /** When (ms after the start) the agent was up, had fetched main, had the release unpacked. */
  phases: { started: number; fetched: number; unpacked: number };
}

/**
 * A new host joins: `skiff agent` with an empty data dir follows the repository over HTTP (git
 * http-backend, as behind nginx) until the current release answers on its port.
 */
export async function benchJoin(options: JoinOptions): Promise<JoinRun[]> {
  const repo = await ensureBenchRepository(options);
  const server = await startGitHttpServer(dirname(repo));
  const url = `${server.url}/${basename(repo)}`;
  const runs: JoinRun[] = [];
  try {
    // Every partial join first: a full join writes gigabytes, whose write-back would slow the next run.
    for (const mirror of options.full ? (["partial", "full"] as const) : (["partial"] as const)) {
      for (let run = 1; run <= options.runs; run++) {
        server.reset();
        const { ms, phases } = await joinOnce({ url, mirror, port: options.port, release: options.releases });
        runs.push({ mirror, ms, bytes: server.sentBytes(), phases });
        process.stderr.write(
          `join ${run} ${mirror}: ${(ms / 1000).toFixed(2)} s, ${(server.sentBytes() / 1024 / 1024).toFixed(1)} MiB\n`,
        );
      }
    }
  } finally {
    await server.close();
  }
  return runs;
}

async function joinOnce(input: {
  url: string;
  mirror: "partial" | "full";
  port: number;
  release: number;
}): Promise<{ ms: number; phases: JoinRun["phases"] }> {
  const data = mkdtempSync(join(tmpdir(), "skiff-bench-join-"));
  try {
    if (input.mirror === "full") {
      // A mirror as skiff made them before: a plain bare repository, followed as a full one.
      mkdirSync(data, { recursive: true });
      await runCommand("git", ["init", "--quiet", "--bare", join(data, "mirror.git")]);
    }
    const started = Date.now();
    const agent = spawn(
      process.execPath,
      [SKIFF_BIN, "agent", "--repo", input.url, "--data", data, "--poll", "1h"],
      {
        env: { ...process.env, SKIFF_LOG_LEVEL: "silent" },
        stdio: "ignore",
      },
    );
    try {
      await waitForAnswer(`http://127.0.0.1:${input.port}/`, `v${input.release} `, 600_000);
      return { ms: Date.now() - started, phases: readPhases(data, started) };
    } catch (error) {
      throw new Error(`${(error as Error).message}; the agent said: ${lastFailure(data)}`, { cause: error });
    } finally {
      agent.kill("SIGTERM");
      if (agent.exitCode === null) await once(agent, "exit");
      // Nothing to stop when the join failed before a deploy.
      await runCommand(process.execPath, [SKIFF_BIN, "stop", BENCH_APP, "--data", data]).catch(
        () => undefined,
      );
    }
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

function readAgentEvents(data: string): { type: string; time: string; message?: string }[] {
  return readFileSync(join(data, "events.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; time: string; message?: string });
}

function lastFailure(data: string): string {
  try {
    return readAgentEvents(data).findLast((e) => e.type.endsWith("failed"))?.message ?? "no failure";
  } catch {
    return "nothing (no event log)";
  }
}

/** The agent's own account of the join, from its event log. */
function readPhases(data: string, started: number): JoinRun["phases"] {
  const events = readAgentEvents(data);
  const at = (type: string): number => {
    const event = events.find((e) => e.type === type);
    return event === undefined ? NaN : Date.parse(event.time) - started;
  };
  return { started: at("agent.started"), fetched: at("agent.fetched"), unpacked: at("release.unpacked") };
}

async function waitForAnswer(url: string, expect: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if ((await response.text()).startsWith(expect)) return;
    } catch {
      // Not serving yet.
    }
    await sleep(20);
  }
  throw new Error(`${url} did not answer ${expect} within ${timeoutMs} ms`);
}
