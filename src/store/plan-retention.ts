/**
 * Which release folders --keep removes (pure): everything beyond the `keep` most recent,
 * except the current release and the previous current (the one a rollback goes back to).
 */
export function planRetention(options: {
  releases: readonly number[];
  keep: number | undefined;
  current: number;
  previous: number | undefined;
}): number[] {
  if (options.keep === undefined) return [];
  const newestFirst = [...options.releases].sort((a, b) => b - a);
  const kept = new Set(newestFirst.slice(0, Math.max(0, options.keep)));
  kept.add(options.current);
  if (options.previous !== undefined) kept.add(options.previous);
  return newestFirst.filter((release) => !kept.has(release)).sort((a, b) => a - b);
}
