import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/**
 * JSON logs for long-running parts (agent, server, proxy). Children carry app, release and deploy.
 * Level from SKIFF_LOG_LEVEL (default info); SKIFF_LOG_LEVEL=silent for quiet tests.
 */
export function createLogger(name: string, destination?: string): Logger {
  const level = process.env.SKIFF_LOG_LEVEL ?? "info";
  const stream = destination === undefined ? pino.destination(2) : pino.destination({ dest: destination, mkdir: true, sync: false });
  return pino({ name, level, base: { pid: process.pid } }, stream);
}
