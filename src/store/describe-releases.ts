/** Release numbers as ranges for humans: [1, 2, 3, 5, 7, 8] → "1-3, 5, 7-8"; none → "none". */
export function describeReleases(releases: readonly number[]): string {
  const sorted = [...new Set(releases)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.length === 0 ? "none" : parts.join(", ");
}
