import { join } from "node:path";
import type { FixtureApp } from "../fixture-app.js";
import { readReleases } from "../releases.js";
import { runCommand } from "../run-command.js";
import type { ChangeRecord, InvariantResult } from "../types.js";
import { explainChange, type Window } from "../windows.js";

async function inMain(gitDir: string, commit: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const run = await runCommand(
    "git",
    ["--git-dir", gitDir, "merge-base", "--is-ancestor", commit, "refs/heads/main"],
    { env, timeoutMs: 30_000 },
  );
  return run.code === 0;
}

function describe(change: ChangeRecord): string {
  const what =
    change.kind === "rollback"
      ? `rollback to ${change.to ?? "?"}`
      : change.kind === "wake"
        ? `wake on ${change.host ?? "?"}`
        : `push of ${change.label ?? "?"} (${change.kind})`;
  return `${new Date(change.start).toISOString()} ${change.app}: ${what} ${change.ok ? "accepted" : "failed"} after ${change.end - change.start} ms — ${change.detail}`;
}

/**
 * Pushes and rollbacks did what they should: a good version's push is accepted unless a fault
 * explains its failure; a broken version's push is refused; an accepted push is whole (its commit
 * on the app repository's main, and a stored release of it); a rollback or a wake succeeds unless a
 * fault explains it.
 */
export async function checkChanges(
  changes: readonly ChangeRecord[],
  windows: readonly Window[],
  apps: FixtureApp[],
  server: string,
  env: NodeJS.ProcessEnv,
): Promise<{ result: InvariantResult; explained: number }> {
  const problems: string[] = [];
  let explained = 0;
  const stored = new Map<string, Set<string>>();
  for (const app of apps) {
    const releases = (await readReleases(join(server, "deploy.git"), app.name, env)) ?? [];
    stored.set(app.name, new Set(releases.map((r) => r.commit ?? "")));
  }
  for (const change of changes) {
    const shouldSucceed = change.kind === "good" || change.kind === "rollback" || change.kind === "wake";
    if (shouldSucceed && !change.ok) {
      if (explainChange(change, windows) !== undefined) explained += 1;
      else problems.push(`${describe(change)} — no fault explains it`);
    }
    if (!shouldSucceed && change.ok) problems.push(`${describe(change)} — a broken version was accepted`);
    if (change.ok && change.commit !== undefined) {
      const gitDir = join(server, "apps", `${change.app}.git`);
      if (!(await inMain(gitDir, change.commit, env)))
        problems.push(`${describe(change)} — its commit is not on the app repository's main`);
      if (!stored.get(change.app)?.has(change.commit))
        problems.push(`${describe(change)} — no release stores its commit`);
    }
  }
  return {
    explained,
    result: {
      name: "every push and rollback did what it should (or a fault explains it)",
      ok: problems.length === 0,
      summary: `${changes.length} changes, ${changes.filter((c) => !c.ok).length} failed (${explained} explained by a fault)`,
      details: problems,
    },
  };
}
