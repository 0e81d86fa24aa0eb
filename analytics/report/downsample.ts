/**
 * Min/max-preserving downsampling for time series drawn as lines: the points are cut into buckets of
 * consecutive rows, and each bucket keeps, for every series, the row of its smallest and of its largest value
 * (plus the first and last row overall). A spike of one second in an hour-long run is still drawn at its
 * height; only rows that are neither a bucket's minimum nor its maximum in any series are left out. Kept rows
 * carry their exact values.
 */

export interface SeriesTable {
  /** Ascending x values. */
  readonly xs: number[];
  /** One array per series, aligned with xs; null where the series has no value. */
  readonly ys: Array<Array<number | null>>;
}

const finite = (value: number | null | undefined): value is number => value !== null && value !== undefined && Number.isFinite(value);

/** At most `maxPoints` rows (≥ 4) of `xs`/`ys`; all rows when there are no more than that. */
export function downsampleMinMax(xs: ArrayLike<number>, ys: ReadonlyArray<ArrayLike<number | null>>, maxPoints: number): SeriesTable {
  const n = xs.length;
  const take = (rows: readonly number[]): SeriesTable => ({
    xs: rows.map((row) => xs[row]!),
    ys: ys.map((series) => rows.map((row) => (finite(series[row]) ? series[row]! : null))),
  });
  if (n <= maxPoints) return take(Array.from({ length: n }, (_, row) => row));
  const seriesCount = Math.max(1, ys.length);
  // Two rows per bucket per series, plus the first and the last row.
  const buckets = Math.max(1, Math.floor((Math.max(4, maxPoints) - 2) / (2 * seriesCount)));
  const kept = new Set<number>([0, n - 1]);
  for (let bucket = 0; bucket < buckets; bucket++) {
    const from = Math.floor((bucket * n) / buckets);
    const to = Math.floor(((bucket + 1) * n) / buckets);
    for (const series of ys) {
      let low = -1;
      let high = -1;
      for (let row = from; row < to; row++) {
        const value = series[row];
        if (!finite(value)) continue;
        if (low < 0 || value < series[low]!) low = row;
        if (high < 0 || value > series[high]!) high = row;
      }
      if (low >= 0) kept.add(low);
      if (high >= 0) kept.add(high);
    }
  }
  return take([...kept].sort((a, b) => a - b));
}

/**
 * Series with x values of their own as one table on the union of their x values (what a chart with one x axis
 * needs); a series is null at the x values it does not have. Each input is downsampled first, to
 * `maxPointsEach` rows.
 */
export function joinSeries(inputs: ReadonlyArray<{ readonly xs: ArrayLike<number>; readonly ys: ArrayLike<number | null> }>, maxPointsEach: number): SeriesTable {
  const sampled = inputs.map((input) => downsampleMinMax(input.xs, [input.ys], maxPointsEach));
  const xs = [...new Set(sampled.flatMap((table) => table.xs))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = sampled.map((table) => {
    const column: Array<number | null> = new Array<number | null>(xs.length).fill(null);
    table.xs.forEach((x, i) => (column[index.get(x)!] = table.ys[0]![i]!));
    return column;
  });
  return { xs, ys };
}
