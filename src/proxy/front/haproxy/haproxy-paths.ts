import { createHash } from "node:crypto";
import { join } from "node:path";
import type { HaproxyPaths } from "./haproxy-model.js";

/** `<front dir>/haproxy/`: config, host map, CLI sockets, log, master record, the door's hold sockets. */
export function haproxyPaths(frontDir: string): HaproxyPaths {
  const dir = join(frontDir, "haproxy");
  // Hashed: an app name of 63 characters must not push a socket path past sun_path's 108 bytes.
  const short = (app: string): string => createHash("sha1").update(app).digest("hex").slice(0, 12);
  return {
    dir,
    config: join(dir, "haproxy.cfg"),
    map: join(dir, "hosts.map"),
    stats: join(dir, "stats.sock"),
    master: join(dir, "master.sock"),
    hold: (app, mode) => join(dir, `h-${short(app)}.${mode === "tcp" ? "t" : "h"}.sock`),
    unknown: join(dir, "unknown.sock"),
  };
}
