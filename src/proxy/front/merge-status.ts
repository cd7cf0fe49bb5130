import type { EngineAppStats } from "./engine.js";
import type { AppStatus, Counters } from "./status-schema.js";

const later = (a: string | null, b: number | undefined): string | null => {
  if (b === undefined) return a;
  const iso = new Date(b).toISOString();
  return a === null || iso > a ? iso : a;
};

function addCounters(a: Counters, b: Counters): Counters {
  // Percentiles are the door's own; HAProxy adds its average.
  const ttfbMs = b.ttfbMs.avgMs === undefined ? a.ttfbMs : { ...a.ttfbMs, avgMs: b.ttfbMs.avgMs };
  return {
    connections: a.connections + b.connections,
    requests: a.requests + b.requests,
    bytesIn: a.bytesIn + b.bytesIn,
    bytesOut: a.bytesOut + b.bytesOut,
    errors: {
      connect: a.errors.connect + b.errors.connect,
      status5xx: a.errors.status5xx + b.errors.status5xx,
      unavailable: a.errors.unavailable + b.errors.unavailable,
      resets: a.errors.resets + b.errors.resets,
    },
    ttfbMs,
  };
}

/** An app's status from the door's own routes plus what the engine (HAProxy) carried itself. Pure. */
export function mergeAppStatus(own: AppStatus, engine: EngineAppStats | undefined): AppStatus {
  if (engine === undefined) return own;
  const backends = own.backends.map((backend) => {
    const theirs = engine.backends.get(backend.id);
    if (theirs === undefined) return backend;
    return {
      ...backend,
      open: backend.open + theirs.open,
      connections: backend.connections + theirs.connections,
      lastActivity: later(backend.lastActivity, theirs.lastActivity),
    };
  });
  const engineOpen = [...engine.backends.values()].reduce((sum, b) => sum + b.open, 0);
  const open = own.open + engineOpen;
  const lastActivity = later(own.lastActivity, engine.lastActivity);
  const idleSince = open + own.held > 0 ? null : (later(own.idleSince, engine.lastActivity) ?? own.idleSince);
  return {
    ...own,
    backends,
    open,
    lastActivity,
    idleSince,
    counters: addCounters(own.counters, engine.counters),
  };
}
