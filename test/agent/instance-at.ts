import type { Instance } from "../../src/drivers/index.js";

/** An instance record for something serving on 127.0.0.1:`port` (a fixture, a local server). */
export function instanceAt(port: number, app: string, release = 1): Instance {
  return {
    id: `${app}-${release}`,
    driver: "unix",
    app,
    release,
    address: { host: "127.0.0.1", port },
    handle: {},
    logPath: "/dev/null",
    startedAt: new Date().toISOString(),
  };
}
