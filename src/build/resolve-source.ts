import { resolve } from "node:path";
import { SkiffError } from "../errors/index.js";
import {
  currentBranch,
  headCommit,
  originUrl,
  redactUrl,
  repositoryKind,
  resolveCommit,
  workTreeRoot,
} from "../git/index.js";

export interface BuildSource {
  /** Absolute path: the work tree's root, or the bare repository. */
  repo: string;
  kind: "bare" | "work-tree";
  commit: string;
  branch: string | undefined;
  /** Origin URL (credentials hidden) when there is one, else the repository path. */
  repository: string;
}

export interface ResolveSourceOptions {
  repo: string;
  commit?: string;
  branch?: string;
}

/** Which repository and exact commit a build is of. */
export async function resolveSource(options: ResolveSourceOptions): Promise<BuildSource> {
  const dir = resolve(options.repo);
  const kind = await repositoryKind(dir);
  if (kind === undefined) {
    throw new SkiffError("ERR_SKIFF_NOT_A_GIT_REPO", `${dir} is not a git repository`, {
      hint: "run skiff build in your app's git repository, or pass --dir",
    });
  }
  const repo = kind === "bare" ? dir : await workTreeRoot(dir);
  const { commit, branch: headBranch } = await resolveRevision(repo, kind, options.commit);
  const branch = options.branch ?? headBranch;
  const origin = await originUrl(repo);
  return { repo, kind, commit, branch, repository: origin === undefined ? repo : redactUrl(origin) };
}

interface Revision {
  commit: string;
  /** Known only when we build what HEAD (or main) names. */
  branch: string | undefined;
}

async function resolveRevision(
  repo: string,
  kind: "bare" | "work-tree",
  rev: string | undefined,
): Promise<Revision> {
  if (rev !== undefined) {
    const commit = await resolveCommit(repo, rev);
    if (commit === undefined) {
      throw new SkiffError("ERR_SKIFF_GIT", `${rev} is not a commit in ${repo}`, {
        hint: "pass a commit id or branch that exists in the repository",
        data: { commit: rev },
      });
    }
    return { commit, branch: undefined };
  }
  if (kind === "work-tree") return { commit: await headCommit(repo), branch: await currentBranch(repo) };
  const head = await resolveCommit(repo, "HEAD");
  if (head !== undefined) return { commit: head, branch: await currentBranch(repo) };
  // A bare repository's HEAD may name a branch nobody pushed: fall back to main.
  const main = await resolveCommit(repo, "main");
  if (main === undefined) {
    throw new SkiffError("ERR_SKIFF_NO_COMMITS", `${repo} has no commits on HEAD or main`, {
      hint: "push a commit first, or pass the commit to build",
    });
  }
  return { commit: main, branch: "main" };
}
