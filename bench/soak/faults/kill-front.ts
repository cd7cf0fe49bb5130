import { listProcesses, type ProcessInfo } from "../proc-table.js";
import type { Host } from "../start-hosts.js";
import { sigkill, type FaultContext, type FaultOutcome } from "./context.js";

/**
 * The host's front door: per-app proxies (proxy/main.js --app A --dir DATA/proxies/A) or one shared
 * front door (and the HAProxy it drives), found by their command line naming the host's data dir.
 */
export function findFrontProcesses(host: Host, table: ProcessInfo[], exclude: number[]): ProcessInfo[] {
  const inData = (p: ProcessInfo): boolean =>
    p.command.includes(`${host.data}/`) || p.cwd.startsWith(`${host.data}/`);
  return table.filter(
    (p) =>
      !exclude.includes(p.pid) &&
      inData(p) &&
      /proxy|front|haproxy/i.test(p.command) &&
      // An instance runs from the host's releases folder.
      !p.command.includes(`${host.data}/releases/`),
  );
}

export function killFront(ctx: FaultContext): FaultOutcome {
  const host = ctx.random.pick(ctx.hosts.hosts);
  const exclude = [ctx.hosts.server.pid(), ctx.hosts.follower.pid()].filter(
    (p): p is number => p !== undefined,
  );
  const candidates = findFrontProcesses(host, listProcesses(), exclude).sort((a, b) => a.pid - b.pid);
  const at = Date.now();
  if (candidates.length === 0) {
    return {
      kind: "kill-front",
      at,
      host: host.name,
      target: "front door",
      skipped: "no front door process found",
    };
  }
  const victim = ctx.random.pick(candidates);
  const app = /--app (\S+)/.exec(victim.command)?.[1];
  const apps = app === undefined ? ctx.apps.map((a) => a.name) : [app];
  const killed = sigkill(victim.pid);
  return {
    kind: "kill-front",
    at: Date.now(),
    host: host.name,
    apps,
    pid: victim.pid,
    target: `pid ${victim.pid}: ${victim.command.slice(0, 160)}`,
    ...(killed ? {} : { skipped: "it exited before the kill" }),
  };
}
