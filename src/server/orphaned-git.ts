import { findMarked, waitForExit } from "../process/index.js";

/** In the environment of every git program the server runs for a request (http-backend, receive-pack, its hooks). */
const SERVER_GIT_ENV = "SKIFF_SERVER_GIT";

/** The mark of the git programs serving the data dir `data`: its name and value for their environment. */
export function serverGitMark(data: string): Record<string, string> {
  return { [SERVER_GIT_ENV]: data };
}

/**
 * Ends the git programs a server of this data dir left running when it was killed (a receive-pack
 * mid-push, its index-pack or hook): they cannot finish a push (the hook's server is gone), and their
 * quarantines can only be removed once nothing writes them. Returns how many were ended.
 */
export async function endOrphanedGit(data: string): Promise<number> {
  const pids = findMarked(`${SERVER_GIT_ENV}=${data}`);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
  await Promise.all(pids.map((pid) => waitForExit(pid, 5000)));
  return pids.length;
}
