import type { FrontEvent } from "./status-schema.js";

/** At most one activity event per app in this time: the agent wants "still in use", not every connection. */
const ACTIVITY_EVERY_MS = 1000;

export interface RouteActivity {
  /** A client connection opened or closed (on `backend`, or on the app before it reached one). */
  touch(backend: string | undefined): void;
  /** ISO time of the last activity of a backend, or of the app (undefined); null before any. */
  lastOf(backend: string | undefined): string | null;
  /** ISO time of the last activity, or when the app was configured if it never had any. */
  idleSince(): string;
  close(): void;
}

export function createRouteActivity(options: {
  app: string;
  emit: (event: FrontEvent) => void;
  open: () => number;
}): RouteActivity {
  const created = Date.now();
  const last = new Map<string | undefined, number>();
  let emitted = 0;
  let timer: NodeJS.Timeout | undefined;
  const iso = (time: number | undefined): string | null =>
    time === undefined ? null : new Date(time).toISOString();
  const send = (): void => {
    timer = undefined;
    emitted = Date.now();
    options.emit({
      type: "activity",
      at: new Date(emitted).toISOString(),
      app: options.app,
      open: options.open(),
      lastActivity: iso(last.get(undefined)),
    });
  };
  return {
    touch(backend) {
      const now = Date.now();
      last.set(undefined, now);
      if (backend !== undefined) last.set(backend, now);
      if (timer !== undefined) return;
      if (now - emitted >= ACTIVITY_EVERY_MS) send();
      else {
        timer = setTimeout(send, ACTIVITY_EVERY_MS - (now - emitted));
        timer.unref();
      }
    },
    lastOf: (backend) => iso(last.get(backend)),
    idleSince: () => iso(last.get(undefined) ?? created) ?? new Date(created).toISOString(),
    close() {
      clearTimeout(timer);
    },
  };
}
