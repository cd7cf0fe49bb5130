/** A fixed-size ring of numbered columns: the last `capacity` samples, oldest first when read. */
export interface SeriesRing<K extends string> {
  push(row: Record<K, number | null> & { time: number }): void;
  /** The samples since `since` (epoch ms), as columns: time, then each key. */
  read(since: number): { time: number[] } & Record<K, (number | null)[]>;
  readonly size: number;
}

export function createSeriesRing<K extends string>(keys: readonly K[], capacity: number): SeriesRing<K> {
  const time = new Float64Array(capacity);
  const columns = new Map<K, Float64Array>(keys.map((key) => [key, new Float64Array(capacity)]));
  let next = 0;
  let size = 0;
  return {
    get size() {
      return size;
    },
    push(row) {
      time[next] = row.time;
      // NaN stands for "no figure" (null) inside the typed arrays.
      for (const [key, column] of columns) column[next] = row[key] ?? Number.NaN;
      next = (next + 1) % capacity;
      size = Math.min(size + 1, capacity);
    },
    read(since) {
      const out = { time: [] as number[] } as { time: number[] } & Record<K, (number | null)[]>;
      for (const key of keys) (out as Record<K, (number | null)[]>)[key] = [];
      for (let i = 0; i < size; i++) {
        const at = (next - size + i + capacity) % capacity;
        if ((time[at] ?? 0) < since) continue;
        out.time.push(time[at] ?? 0);
        for (const [key, column] of columns) {
          const value = column[at] ?? Number.NaN;
          out[key].push(Number.isNaN(value) ? null : value);
        }
      }
      return out;
    },
  };
}
