/** Small statistics for schedule tests. */
export function gapsOf(offsetsMs: readonly number[]): number[] {
  return offsetsMs.slice(1).map((t, i) => t - offsetsMs[i]!);
}

export function meanOf(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Coefficient of variation (population). */
export function cvOf(values: readonly number[]): number {
  const mean = meanOf(values);
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

/** Arrivals in each whole second [k s, (k+1) s). */
export function perSecond(offsetsMs: readonly number[], seconds: number): number[] {
  const counts = new Array<number>(seconds).fill(0);
  for (const t of offsetsMs) {
    const k = Math.floor(t / 1000);
    if (k < seconds) counts[k]!++;
  }
  return counts;
}
