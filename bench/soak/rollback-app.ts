import { join } from "node:path";
import type { FixtureApp } from "./fixture-app.js";
import type { Random } from "./random.js";
import { readReleases } from "./releases.js";
import { tail } from "./run-command.js";
import { runSkiff } from "./skiff-cli.js";

export interface RollbackTarget {
  server: { url: string; token: string; data: string };
  /** Through POST /api/v1/apps/:app/rollback when the server has it, else skiff rollback --repo. */
  api: boolean;
  env: NodeJS.ProcessEnv;
}

/**
 * Points current back at an earlier release that served (a good version): an operator's rollback.
 * Resolves with what was done, or with `to` undefined when there was nothing to roll back to.
 */
export async function rollbackApp(
  app: FixtureApp,
  target: RollbackTarget,
  random: Random,
): Promise<{ ok: boolean; to?: number; detail: string }> {
  const repo = join(target.server.data, "deploy.git");
  const releases = await readReleases(repo, app.name, target.env);
  if (releases === undefined) return { ok: false, detail: "skiff releases failed" };
  const good = releases.filter(
    (r) => !r.current && r.commit !== undefined && app.commits.get(r.commit)?.kind === "good",
  );
  if (good.length === 0) return { ok: true, detail: "no earlier good release" };
  const to = random.pick(good.slice(-3)).release;
  if (target.api) {
    try {
      const response = await fetch(`${target.server.url}/api/v1/apps/${app.name}/rollback`, {
        method: "POST",
        headers: { authorization: `Bearer ${target.server.token}`, "content-type": "application/json" },
        body: JSON.stringify({ to }),
        signal: AbortSignal.timeout(30_000),
      });
      const body = await response.text();
      return {
        ok: response.ok,
        to,
        detail: `POST /api/v1/apps/${app.name}/rollback: ${response.status} ${tail(body, 1)}`,
      };
    } catch (error) {
      return { ok: false, to, detail: `POST /api/v1/apps/${app.name}/rollback: ${(error as Error).message}` };
    }
  }
  const run = await runSkiff(["rollback", app.name, "--repo", repo, "--to", String(to)], { env: target.env });
  return { ok: run.code === 0, to, detail: `skiff rollback --to ${to}: ${tail(run.stdout + run.stderr, 2)}` };
}
