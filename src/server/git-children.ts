import type { ChildProcess } from "node:child_process";
import { terminateGroup } from "../process/index.js";

/**
 * The git programs the server runs for requests (git http-backend, each in a process group of its
 * own with the receive-pack, index-pack and hooks it starts), so that a stopping server ends what
 * still runs instead of leaving it behind.
 */
export class GitChildren {
  private readonly running = new Set<number>();

  /** Follows `child` until its output is closed (every process of its group that shares it is done). */
  track(child: ChildProcess): void {
    const pid = child.pid;
    if (pid === undefined) return;
    this.running.add(pid);
    child.once("close", () => this.running.delete(pid));
  }

  /** How many still run. */
  get size(): number {
    return this.running.size;
  }

  /** SIGTERM to the group of each, `graceMs`, then SIGKILL; resolves once they are gone. Returns how many. */
  async endAll(graceMs: number): Promise<number> {
    const pids = [...this.running];
    await Promise.all(pids.map((pid) => terminateGroup(pid, graceMs)));
    return pids.length;
  }
}
