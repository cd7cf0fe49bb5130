import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { AddressBook } from "../addresses.js";
import type { FixtureApp } from "../fixture-app.js";
import { versionOf } from "../load.js";
import { getFresh } from "../net.js";
import { readReleases } from "../releases.js";
import type { Host } from "../start-hosts.js";
import type { InvariantResult } from "../types.js";

/** What current names for each app: its release and the label its page shows. */
async function currentLabels(
  server: string,
  apps: FixtureApp[],
  env: NodeJS.ProcessEnv,
): Promise<Map<string, { label: string; release: number }>> {
  const labels = new Map<string, { label: string; release: number }>();
  for (const app of apps) {
    const current = (await readReleases(join(server, "deploy.git"), app.name, env))?.find((r) => r.current);
    const label = current?.commit === undefined ? undefined : app.commits.get(current.commit)?.label;
    if (current !== undefined && label !== undefined)
      labels.set(app.name, { label, release: current.release });
  }
  return labels;
}

async function serves(url: string | undefined, label: string): Promise<string> {
  if (url === undefined) return "no public address in skiff status";
  try {
    const { status, body } = await getFresh(`${url}/`, 3000);
    const version = versionOf(body);
    return status === 200 && version === label
      ? "ok"
      : `${url} answered ${status} ${version ?? body.slice(0, 60).trim()}`;
  } catch (error) {
    return `${url}: ${(error as Error).message}`;
  }
}

interface ConvergenceOptions {
  server: string;
  apps: FixtureApp[];
  hosts: Host[];
  book: AddressBook;
  env: NodeJS.ProcessEnv;
  settleMs: number;
}

/** Each app on each host that does not serve what current names, and what it does instead. */
async function findStragglers(options: ConvergenceOptions): Promise<string[]> {
  const labels = await currentLabels(options.server, options.apps, options.env);
  await Promise.all(options.hosts.map((host) => options.book.refresh(host)));
  const problems: string[] = [];
  for (const app of options.apps) {
    const current = labels.get(app.name);
    if (current === undefined) {
      problems.push(`${app.name}: current names no release of a known version`);
      continue;
    }
    for (const host of options.hosts) {
      const seen = await serves(options.book.url(host.name, app.name), current.label);
      if (seen !== "ok")
        problems.push(
          `${app.name} on ${host.name}: wants ${current.label} (release ${current.release}), ${seen}`,
        );
    }
  }
  return problems;
}

/** Every app serves the release current names on every host, within `settleMs` of the end of the run. */
export async function checkConvergence(options: ConvergenceOptions): Promise<InvariantResult> {
  const started = Date.now();
  let problems = await findStragglers(options);
  while (problems.length > 0 && Date.now() < started + options.settleMs) {
    await sleep(500);
    problems = await findStragglers(options);
  }
  const took = ((Date.now() - started) / 1000).toFixed(1);
  return {
    name: `every app serves its current release on every host within ${Math.round(options.settleMs / 1000)}s`,
    ok: problems.length === 0,
    summary: problems.length === 0 ? `settled after ${took}s` : `not settled after ${took}s`,
    details: problems,
  };
}
