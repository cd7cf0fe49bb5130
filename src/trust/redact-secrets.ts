/** What a secret value is replaced with: nothing of the value is shown. */
export const HIDDEN = "[hidden]";

/**
 * Replaces every occurrence of each secret value in `text` with [hidden], also in its JSON-escaped
 * form (events and logs are JSON). Longer secrets go first so one secret inside another is not left half.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret === "") continue;
    needles.add(secret);
    needles.add(JSON.stringify(secret).slice(1, -1));
  }
  let result = text;
  for (const needle of [...needles].sort((a, b) => b.length - a.length)) {
    result = result.split(needle).join(HIDDEN);
  }
  return result;
}

/** redactSecrets applied to every string (and key) inside a JSON-like value, e.g. an event before it is written. */
export function redactSecretsDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  return redactValue(value, secrets) as T;
}

function redactValue(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === "string") return redactSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets));
  if (typeof value === "object" && value !== null && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [redactSecrets(key, secrets), redactValue(item, secrets)]),
    );
  }
  return value;
}
