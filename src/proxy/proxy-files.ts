import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

/** What a running proxy leaves in its directory so that the next agent can adopt it. */
export const ProxyRecordSchema = z.object({
  app: z.string(),
  pid: z.number().int().positive(),
  /** The kernel start time of pid, so a reused pid is never mistaken for the proxy. */
  startTime: z.string().optional(),
  listen: z.string(),
});

export type ProxyRecord = z.infer<typeof ProxyRecordSchema>;

export const controlSocketPath = (dir: string): string => join(dir, "control.sock");
export const proxyLogPath = (dir: string): string => join(dir, "proxy.log");
const recordPath = (dir: string): string => join(dir, "proxy.json");

export function readProxyRecord(dir: string): ProxyRecord | undefined {
  return readJsonFile(recordPath(dir), ProxyRecordSchema);
}

export function writeProxyRecord(dir: string, record: ProxyRecord): void {
  writeJsonFile(recordPath(dir), record);
}

/** A JSON file that matches `schema`, or undefined (missing, torn, or of another shape). */
export function readJsonFile<T extends z.ZodType>(path: string, schema: T): z.infer<T> | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole or not at all (rename), so a reader never sees half a file; only this user may read it. */
export function writeJsonFile(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value)}\n`);
}

export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Removes the record and socket, but only when they still belong to `pid` (not a successor). */
export function removeProxyRecord(dir: string, pid: number): void {
  if (readProxyRecord(dir)?.pid !== pid) return;
  rmSync(recordPath(dir), { force: true });
  rmSync(controlSocketPath(dir), { force: true });
}
