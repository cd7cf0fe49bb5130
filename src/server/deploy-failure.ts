import { findInstanceLog, readLogs } from "../agent/index.js";
import type { SerializedError } from "../errors/index.js";

/** The log of the instance whose deploy failed: what the pusher reads to see why. */
export interface FailedInstanceLog {
  instance: string;
  release: number;
  lines: string[];
}

/** How many of the failed instance's last lines a push shows. */
const LOG_LINES = 10;

/** The last lines of the newest instance of `release` on the server (stopped by now, its log kept). */
export async function readFailedInstanceLog(
  agentData: string,
  app: string,
  release: number,
): Promise<FailedInstanceLog | undefined> {
  const log = findInstanceLog(agentData, app, release);
  if (log === undefined) return undefined;
  const lines = await readLogs(agentData, app, LOG_LINES, { release }).catch(() => undefined);
  return lines === undefined ? undefined : { instance: log.id, release, lines };
}

/**
 * The lines a push prints when its release failed to deploy (push-pipeline calls it): the error
 * code and message, the hint, and the new instance's last log lines with the command that shows more.
 */
export function describeDeployFailure(
  app: string,
  error: SerializedError,
  log?: FailedInstanceLog,
): string[] {
  const lines = [`${error.code}: ${error.message}`];
  if (error.hint) lines.push(`hint: ${error.hint}`);
  if (log === undefined) return lines;
  const more = `skiff logs ${app} --release ${log.release}`;
  if (log.lines.length === 0) return [...lines, `${log.instance} printed nothing (${more})`];
  return [...lines, `the last lines of ${log.instance} (${more}):`, ...log.lines.map((line) => `  ${line}`)];
}
