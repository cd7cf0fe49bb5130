import { pino, type Logger } from "pino";

export type { Logger } from "pino";

export interface LoggerOptions {
  /** A file to log to instead of stderr. */
  destination?: string;
  /** Level when SKIFF_LOG_LEVEL is not set (default info). */
  defaultLevel?: string;
}

/**
 * JSON logs for long-running parts (agent, server, proxy). Children carry app, release and deploy.
 * Level from SKIFF_LOG_LEVEL; SKIFF_LOG_LEVEL=silent for quiet tests.
 */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const level = process.env.SKIFF_LOG_LEVEL ?? options.defaultLevel ?? "info";
  const stream =
    options.destination === undefined
      ? pino.destination(2)
      : pino.destination({ dest: options.destination, mkdir: true, sync: false });
  return pino({ name, level, base: { pid: process.pid } }, stream);
}
