import type { SkiffEvent } from "../events/index.js";

/**
 * Which events a sink sends: exact types or patterns with `*` (`deploy.*`, `*`). Never `notify.*`,
 * the delivery results themselves: a failing sink would otherwise be sent news of its own failure.
 */
export function matchEventTypes(patterns: readonly string[]): (event: SkiffEvent) => boolean {
  const exact = new Set(patterns.filter((p) => !p.includes("*")));
  const globs = patterns
    .filter((p) => p.includes("*"))
    .map((p) => new RegExp(`^${p.split("*").map(escapeRegExp).join(".*")}$`));
  return (event) =>
    !event.type.startsWith("notify.") && (exact.has(event.type) || globs.some((g) => g.test(event.type)));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}
