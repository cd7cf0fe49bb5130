import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Where an instance's console log is: `<data>/instances/<id>/console.log` (every driver writes it there). */
export interface InstanceLog {
  id: string;
  path: string;
  /** A serial console (qemu, xen, solo5): carriage returns and terminal escapes are dropped when read. */
  console: boolean;
}

/**
 * The log of the newest instance of `release` of `app` on this host, running or long stopped
 * (instance ids are `<app>-<release>-<suffix>`; stopped instances keep their folder).
 */
export function findInstanceLog(data: string, app: string, release: number): InstanceLog | undefined {
  const root = join(data, "instances");
  if (!existsSync(root)) return undefined;
  const prefix = `${app}-${release}-`;
  const found = readdirSync(root)
    // The suffix is 4 characters without "-": "hello-1-abcd" is never taken for app "hello-1".
    .filter((id) => id.startsWith(prefix) && /^[a-z0-9]{4}$/.test(id.slice(prefix.length)))
    .map((id) => ({ id, path: join(root, id, "console.log") }))
    .filter((log) => existsSync(log.path))
    .map((log) => ({ ...log, mtime: statSync(log.path).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime)[0];
  // Which driver wrote it is not recorded beside it; stripping escapes is harmless for a process's output.
  return found && { id: found.id, path: found.path, console: true };
}
