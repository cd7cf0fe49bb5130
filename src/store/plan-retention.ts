/**
 * Which release folders --keep removes (pure): everything beyond the `keep` most recent,
 * except the current release, the previous current (the one a rollback goes back to) and staging.
 */
export function planRetention(options: {
  releases: readonly number[];
  keep: number | undefined;
  current: number | undefined;
  previous: number | undefined;
  staging?: number | undefined;
}): number[] {
  if (options.keep === undefined) return [];
  const newestFirst = [...options.releases].sort((a, b) => b - a);
  const kept = new Set(newestFirst.slice(0, Math.max(0, options.keep)));
  for (const pinned of [options.current, options.previous, options.staging])
    if (pinned !== undefined) kept.add(pinned);
  return newestFirst.filter((release) => !kept.has(release)).sort((a, b) => a - b);
}
