/** Median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Median absolute deviation relative to the median, as a percentage: the spread of the rounds. */
export function spreadPercent(values: readonly number[]): number {
  const m = median(values);
  return m > 0 ? (median(values.map((v) => Math.abs(v - m))) / m) * 100 : 0;
}

/** Rotates a list left by `by` places: round r starts with contender r (mod n). */
export function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const k = ((by % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** Decimal megabytes (10^6 bytes), the unit of every MB and MB/s in the report. */
export const MB = 1_000_000;

/** The p-th percentile by the nearest-rank rule: the smallest value with at least p % of the values at or below it. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}
