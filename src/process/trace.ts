import { appendFileSync } from "node:fs";

/** Where finished processes are recorded, one JSON line each (SKIFF_TRACE_PROCESSES=file); for profiling. */
const TRACE_FILE = process.env.SKIFF_TRACE_PROCESSES;

/** Credentials in URLs never reach the trace. */
const URL_CREDENTIALS = /(:\/\/)[^@/\s]*@/g;

/** Records one finished process: when it started (epoch ms), how long it ran, and its command line. */
export function traceProcess(
  file: string,
  args: readonly string[],
  startedAt: number,
  durationMs: number,
): void {
  if (!TRACE_FILE) return;
  const command = [file, ...args].join(" ").replace(URL_CREDENTIALS, "$1***@").slice(0, 200);
  traceMark(command, startedAt, durationMs);
}

/** Records a named moment (a benchmark's push start) in the same trace. */
export function traceMark(what: string, at = Date.now(), durationMs = 0): void {
  if (!TRACE_FILE) return;
  const line = { pid: process.pid, at: Math.round(at), ms: Math.round(durationMs), what };
  appendFileSync(TRACE_FILE, JSON.stringify(line) + "\n");
}
