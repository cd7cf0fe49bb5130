import { spawnGit } from "./spawn-git.js";

export type RefUpdateOutcome =
  | { status: "updated" }
  /** Another writer moved the ref first (or holds its lock): read it again and retry. */
  | { status: "conflict"; detail: string }
  /** Refused for another reason (a reference-transaction hook, permissions): retrying won't help. */
  | { status: "refused"; detail: string };

const CONFLICT = /but expected|reference already exists|File exists|unable to resolve reference/i;

export interface LockedRefUpdate {
  repo: string;
  ref: string;
  value: string;
  /** The value the ref must still have; undefined: the ref must not exist yet. */
  expected: string | undefined;
  /** Where git finds `value`'s objects (a quarantine's environment). */
  env?: NodeJS.ProcessEnv;
  /** Runs while the ref is locked at `expected`, before it moves (e.g. move objects into place). */
  beforeCommit: () => Promise<void>;
  signal?: AbortSignal;
}

/**
 * Moves a ref from `expected` to `value` in one `git update-ref --stdin` transaction: prepare
 * (lock and compare), `beforeCommit`, commit. When prepare or beforeCommit fails, no ref moves.
 */
export async function updateRefLocked(options: LockedRefUpdate): Promise<RefUpdateOutcome> {
  const git = spawnGit(["update-ref", "--stdin"], {
    cwd: options.repo,
    env: options.env,
    signal: options.signal,
  });
  let said = "";
  const prepared = new Promise<boolean>((resolve) => {
    git.child.stdout.on("data", (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes("prepare: ok\n")) resolve(true);
    });
    void git.done.then(
      () => resolve(false),
      () => resolve(false),
    );
  });
  // An empty old value: the ref must not exist.
  git.child.stdin.write(`start\nupdate ${options.ref} ${options.value} ${options.expected ?? ""}\nprepare\n`);
  if (!(await prepared)) {
    git.child.stdin.end();
    return failed(await git.done);
  }
  try {
    await options.beforeCommit();
  } catch (error) {
    git.child.stdin.end("abort\n");
    await git.done.catch(() => undefined);
    throw error;
  }
  git.child.stdin.end("commit\n");
  const result = await git.done;
  return result.exitCode === 0 && said.includes("commit: ok\n") ? { status: "updated" } : failed(result);
}

function failed(result: { exitCode: number | null; stderr: string }): RefUpdateOutcome {
  const detail = result.stderr.trim() || `git update-ref exited with ${result.exitCode}`;
  return CONFLICT.test(detail) ? { status: "conflict", detail } : { status: "refused", detail };
}
