import { git, gitOutput } from "./run-git.js";

/** How many commits reachable from `rev` changed `path` (a growing number for each change of a file). */
export async function countCommitsTouching(repo: string, rev: string, path: string): Promise<number> {
  // --end-of-options keeps a rev from being read as an option; "--" keeps path from being read as a rev.
  const text = await gitOutput(["rev-list", "--count", "--end-of-options", rev, "--", path], { cwd: repo });
  return Number(text);
}

/** The committer date of `rev` as an ISO 8601 string in UTC. */
export async function commitTime(repo: string, rev: string): Promise<string> {
  // %ct: seconds since the epoch, independent of the committer's time zone.
  const result = await git(["log", "-1", "--format=%ct", "--end-of-options", rev], { cwd: repo });
  return new Date(Number(result.stdout.trim()) * 1000).toISOString();
}

/** The newest commit reachable from `rev` that changed `path`, or undefined when none did. */
export async function lastCommitTouching(
  repo: string,
  rev: string,
  path: string,
): Promise<string | undefined> {
  const text = await gitOutput(["rev-list", "-1", "--end-of-options", rev, "--", path], { cwd: repo });
  return text === "" ? undefined : text;
}

/** `tip` and its first parents, newest first, at most `count` (main's recent tips). */
export async function firstParents(repo: string, tip: string, count: number): Promise<string[]> {
  const text = await gitOutput(
    ["rev-list", "--first-parent", `--max-count=${count}`, "--end-of-options", tip],
    {
      cwd: repo,
    },
  );
  return text.split("\n").filter(Boolean);
}
