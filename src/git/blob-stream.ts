import type { Readable } from "node:stream";
import { SkiffError } from "../errors/index.js";
import { spawnGit } from "./spawn-git.js";

export interface BlobStream {
  /** The blob's bytes. */
  stream: Readable;
  /** Resolves when git exits 0; rejects otherwise. */
  done: Promise<void>;
  /** Stops git early (the reader gave up). */
  cancel: () => void;
}

/** Streams a blob's bytes out of `repo` without holding them in memory. */
export function openBlobStream(repo: string, object: string): BlobStream {
  const git = spawnGit(["cat-file", "blob", object], { cwd: repo, collectStdout: false });
  git.child.stdin.end();
  const done = git.done.then(({ exitCode, signal, stderr }) => {
    if (exitCode === 0) return;
    throw new SkiffError(
      "ERR_SKIFF_GIT",
      `git cat-file blob ${object} failed: ${stderr.trim() || (signal ?? `exit ${exitCode}`)}`,
      {
        hint: `the object is missing or damaged: git -C ${repo} fsck says which (an agent's mirror may be removed: its next pass fetches it again)`,
      },
    );
  });
  // A blob that is not there fails before its reader awaits done: that is its error, not a crash.
  done.catch(() => undefined);
  return { stream: git.child.stdout, done, cancel: () => git.child.kill("SIGKILL") };
}
