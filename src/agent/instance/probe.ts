import { request } from "node:http";
import { connect } from "node:net";

export interface ProbeResult {
  ok: boolean;
  /** "status 200", "status 503", "ECONNREFUSED", "timeout", "connected". */
  reason: string;
  durationMs: number;
}

export interface ProbeTarget {
  host: string;
  port: number;
  /** HTTP path to GET; undefined for a TCP connect. */
  path?: string;
  timeoutMs: number;
}

function reasonOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** One health probe: HTTP GET expecting 2xx, or a TCP connect. Never throws. */
export function probeOnce(target: ProbeTarget): Promise<ProbeResult> {
  const started = performance.now();
  const done = (ok: boolean, reason: string): ProbeResult => ({
    ok,
    reason,
    durationMs: performance.now() - started,
  });
  return new Promise((resolve) => {
    if (target.path === undefined) {
      const socket = connect({ host: target.host, port: target.port });
      socket.setTimeout(target.timeoutMs, () => {
        socket.destroy();
        resolve(done(false, "timeout"));
      });
      socket.once("connect", () => {
        socket.destroy();
        resolve(done(true, "connected"));
      });
      socket.once("error", (error) => resolve(done(false, reasonOf(error))));
      return;
    }
    const req = request({
      host: target.host,
      port: target.port,
      path: target.path,
      method: "GET",
      agent: false,
    });
    req.setTimeout(target.timeoutMs, () => {
      req.destroy();
      resolve(done(false, "timeout"));
    });
    req.once("response", (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(done(status >= 200 && status < 300, `status ${status}`));
    });
    req.once("error", (error) => resolve(done(false, reasonOf(error))));
    req.end();
  });
}
