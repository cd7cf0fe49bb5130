import type { EngineAppStats } from "../engine.js";
import { HOLD_SERVER, httpBackend, tcpBackend } from "./haproxy-model.js";
import type { StatRow } from "./parse-stats.js";

/**
 * Per app, what HAProxy carried itself: its backends' totals without the hold server (the door
 * counts what it held). `seenOpen` remembers when a backend last had connections, since HAProxy
 * tells when a session started, not when the last one ended. Pure but for updating `seenOpen`.
 */
export function statsOfApps(options: {
  rows: readonly StatRow[];
  apps: Iterable<string>;
  now: number;
  seenOpen: Map<string, number>;
}): Map<string, EngineAppStats> {
  const { rows, now, seenOpen } = options;
  const byProxy = new Map<string, StatRow[]>();
  for (const row of rows) byProxy.set(row.proxy, [...(byProxy.get(row.proxy) ?? []), row]);
  const result = new Map<string, EngineAppStats>();
  for (const app of options.apps) {
    const counts = { connections: 0, requests: 0, bytesIn: 0, bytesOut: 0, connect: 0, status5xx: 0 };
    let rtime: number | null = null;
    let appLast: number | undefined;
    const backends = new Map<
      string,
      { open: number; connections: number; lastActivity: number | undefined }
    >();
    for (const proxy of [tcpBackend(app), httpBackend(app)]) {
      const list = byProxy.get(proxy) ?? [];
      const total = list.find((r) => r.server === "BACKEND");
      const hold = list.find((r) => r.server === HOLD_SERVER);
      if (total === undefined) continue;
      const minus = (field: keyof Omit<StatRow, "proxy" | "server">): number =>
        Math.max(0, total[field] - (hold?.[field] ?? 0));
      counts.connections += minus("stot");
      counts.requests += minus("reqTot");
      counts.bytesIn += minus("bin");
      counts.bytesOut += minus("bout");
      counts.connect += minus("econ");
      counts.status5xx += minus("hrsp5xx");
      if (proxy === httpBackend(app) && total.reqTot > 0) rtime = total.rtime;
      for (const row of list) {
        if (row.server === "BACKEND" || row.server === HOLD_SERVER) continue;
        const key = `${app}/${row.server}`;
        if (row.scur > 0) seenOpen.set(key, now);
        const started = row.lastsess >= 0 ? now - row.lastsess * 1000 : undefined;
        const last = Math.max(started ?? 0, seenOpen.get(key) ?? 0) || undefined;
        const before = backends.get(row.server);
        backends.set(row.server, {
          open: (before?.open ?? 0) + row.scur,
          connections: (before?.connections ?? 0) + row.stot,
          lastActivity: Math.max(before?.lastActivity ?? 0, last ?? 0) || undefined,
        });
        if (last !== undefined) appLast = Math.max(appLast ?? 0, last);
      }
    }
    result.set(app, {
      counters: {
        connections: counts.connections,
        requests: counts.requests,
        bytesIn: counts.bytesIn,
        bytesOut: counts.bytesOut,
        errors: { connect: counts.connect, status5xx: counts.status5xx, unavailable: 0, resets: 0 },
        ttfbMs: { p50: null, p95: null, samples: 0, avgMs: rtime },
      },
      backends,
      lastActivity: appLast,
    });
  }
  return result;
}
