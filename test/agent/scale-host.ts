import { request } from "node:http";
import type { SkiffEvent } from "../../src/events/index.js";
import { readEvents } from "./swap-host.js";

/** GET on a fresh connection to 127.0.0.1:port with a Host header (the shared listener's routing). */
export function getByHost(
  port: number,
  host: string,
  timeoutMs = 15_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/", headers: { host }, agent: false, timeout: timeoutMs },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        response.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${host} within ${timeoutMs}ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** The app's events of one type, in order. */
export function eventsOf(data: string, app: string, type: string): SkiffEvent[] {
  return readEvents(data).filter((e) => e.app === app && e.type === type);
}
