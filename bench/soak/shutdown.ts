import { setTimeout as sleep } from "node:timers/promises";
import { findFrontProcesses } from "./faults/index.js";
import type { FixtureApp } from "./fixture-app.js";
import { findRunProcesses } from "./invariants/leaks.js";
import { listProcesses } from "./proc-table.js";
import type { RunDir } from "./run-dir.js";
import { tail } from "./run-command.js";
import { runSkiff } from "./skiff-cli.js";
import type { Hosts } from "./start-hosts.js";

/**
 * Stops everything the way an operator would: the units (SIGTERM to the server and the agent),
 * then `skiff stop APP --data D` for every app on every host (instances and their public address),
 * then a front door that outlives `skiff stop` by design (SIGTERM). Resolves with what did not go
 * as it should.
 */
export async function stopEverything(dir: RunDir, hosts: Hosts, apps: FixtureApp[]): Promise<string[]> {
  const notes: string[] = [];
  const stopped = await Promise.all([hosts.server.stop(15_000), hosts.follower.stop(15_000)]);
  stopped.forEach(({ forced }, i) => {
    if (forced)
      notes.push(`${i === 0 ? "the server" : "the follower"} did not exit within 15 s of SIGTERM (killed)`);
  });
  for (const host of hosts.hosts) {
    const runs = await Promise.all(
      apps.map((app) => runSkiff(["stop", app.name, "--data", host.data], { env: dir.env })),
    );
    runs.forEach((run, i) => {
      if (run.code !== 0)
        notes.push(
          `skiff stop ${apps[i]!.name} --data ${host.name} exited ${run.code}: ${tail(run.stderr, 2)}`,
        );
    });
    for (const front of findFrontProcesses(host, listProcesses(), [])) {
      notes.push(
        `${host.name}: pid ${front.pid} outlived skiff stop of every app (SIGTERM): ${front.command.slice(0, 120)}`,
      );
      try {
        process.kill(front.pid, "SIGTERM");
      } catch {
        // gone meanwhile
      }
    }
  }
  const deadline = Date.now() + 5000;
  while (findRunProcesses(dir).length > 0 && Date.now() < deadline) await sleep(100);
  return notes;
}
