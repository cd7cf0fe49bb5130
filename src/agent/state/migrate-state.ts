/**
 * state.json as written by an older agent, brought to the current version before it is parsed
 * (pure). Version 1 held one `instance` per app and one `old` / `next` instance per swap; version 2
 * holds lists (replicas), each instance with the reason it started. Anything else is left as it
 * is, so the schema names what is wrong with it.
 */
export function migrateState(raw: unknown): unknown {
  if (!isObject(raw) || raw.version !== 1) return raw;
  const apps = isObject(raw.apps) ? raw.apps : {};
  return {
    ...raw,
    version: 2,
    apps: Object.fromEntries(Object.entries(apps).map(([name, app]) => [name, migrateApp(app)])),
  };
}

function migrateApp(app: unknown): unknown {
  if (!isObject(app)) return app;
  const { instance, swap, ...rest } = app;
  return {
    ...rest,
    // Version 1 kept no reason; nearly every instance it recorded was started by a deploy.
    instances: instance === undefined ? [] : [asRecord(instance)],
    ...(isObject(swap) ? { swap: migrateSwap(swap) } : swap === undefined ? {} : { swap }),
  };
}

function migrateSwap(swap: Record<string, unknown>): Record<string, unknown> {
  const { old, next, ...rest } = swap;
  return {
    ...rest,
    old: old === undefined ? [] : [asRecord(old)],
    next: next === undefined ? [] : [asRecord(next)],
  };
}

function asRecord(instance: unknown): unknown {
  return isObject(instance) && instance.reason === undefined ? { ...instance, reason: "deploy" } : instance;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
