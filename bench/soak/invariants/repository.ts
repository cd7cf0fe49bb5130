import { join } from "node:path";
import type { FixtureApp } from "../fixture-app.js";
import { readReleases } from "../releases.js";
import { runCommand, tail } from "../run-command.js";
import type { InvariantResult } from "../types.js";

async function fsck(gitDir: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const run = await runCommand("git", ["--git-dir", gitDir, "fsck", "--no-progress", "--no-dangling"], {
    env,
    timeoutMs: 120_000,
  });
  return run.code === 0 ? undefined : `${gitDir}: exit ${run.code}: ${tail(run.stdout + run.stderr, 4)}`;
}

/** `git fsck` of the deployment repository and of every app repository on the server. */
export async function checkFsck(
  server: string,
  apps: FixtureApp[],
  env: NodeJS.ProcessEnv,
): Promise<InvariantResult[]> {
  const deploy = await fsck(join(server, "deploy.git"), env);
  const appProblems = (
    await Promise.all(apps.map((app) => fsck(join(server, "apps", `${app.name}.git`), env)))
  ).filter((p): p is string => p !== undefined);
  return [
    {
      name: "the deployment repository passes git fsck",
      ok: deploy === undefined,
      summary: deploy === undefined ? "git fsck: no errors" : "git fsck reported errors",
      details: deploy === undefined ? [] : [deploy],
    },
    {
      name: "every app repository passes git fsck",
      ok: appProblems.length === 0,
      summary: `${apps.length - appProblems.length} of ${apps.length} app repositories clean`,
      details: appProblems,
    },
  ];
}

/** For every app, `current` names a stored release, and one of a version that served (never a broken one). */
export async function checkCurrent(
  server: string,
  apps: FixtureApp[],
  env: NodeJS.ProcessEnv,
): Promise<InvariantResult> {
  const details: string[] = [];
  for (const app of apps) {
    const releases = await readReleases(join(server, "deploy.git"), app.name, env);
    const current = releases?.filter((r) => r.current) ?? [];
    if (releases === undefined) details.push(`${app.name}: skiff releases failed`);
    else if (current.length !== 1) details.push(`${app.name}: ${current.length} releases marked current`);
    else {
      const kind = current[0]!.commit === undefined ? undefined : app.commits.get(current[0]!.commit)?.kind;
      if (kind !== "good")
        details.push(
          `${app.name}: current names release ${current[0]!.release}, a ${kind ?? "unknown"} version`,
        );
    }
  }
  return {
    name: "every app's current names a stored release of a good version",
    ok: details.length === 0,
    summary: `${apps.length - details.length} of ${apps.length} apps`,
    details,
  };
}
