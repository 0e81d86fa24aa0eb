/**
 * Latency distributions as CDF charts: one per latency metric of a run, or one per metric with both sides of a
 * comparison overlaid. Over the successful non-warmup requests, as the summary's percentiles are.
 */
import { percentileSorted } from '../../pipeline/core/stats.js';
import { STATUS_CODES, type RequestTable, type TableMetric } from '../run-data.js';
import { cdfPoints, sortedFinite, type CdfPoints } from './cdf.js';
import { MARK_COLORS, type ChartMark, type ChartSpec } from './chart-spec.js';
import { metricTitle, metricUnit } from './metric-names.js';

/** The metrics drawn as distributions. */
export const CDF_METRICS = ['ttft_ms', 'itl_ms', 'tpot_ms', 'total_duration_ms'] as const satisfies readonly TableMetric[];

/** A metric's values over the ok rows of one or more request tables (NaN-free, any order). */
export function okValues(tables: readonly RequestTable[], metric: TableMetric): Float64Array {
  const values: number[] = [];
  for (const table of tables) {
    const status = table.status.view();
    const column = table.metrics[metric].view();
    for (let row = 0; row < column.length; row++) {
      if (status[row] === STATUS_CODES.ok && Number.isFinite(column[row]!)) values.push(column[row]!);
    }
  }
  return Float64Array.from(values);
}

export interface CdfSide {
  readonly label: string;
  readonly color: string;
  readonly values: ArrayLike<number>;
}

const PERCENTILE_LINES: ReadonlyArray<readonly [number, string]> = [
  [0.5, 'p50'],
  [0.95, 'p95'],
  [0.99, 'p99'],
];

/** One CDF chart of `metric` with a curve per side (undefined when no side has a value). */
export function cdfChart(id: string, metric: string, sides: readonly CdfSide[], describe: (side: CdfSide, sorted: Float64Array) => string): ChartSpec | undefined {
  const curves = sides.map((side) => ({ side, sorted: sortedFinite(side.values) }));
  const drawn = curves.filter((curve) => curve.sorted.length > 0);
  if (drawn.length === 0) return undefined;
  const unit = metricUnit(metric);
  const cdfs = drawn.map((curve) => cdfPoints(curve.sorted));
  const low = Math.min(...cdfs.map((cdf) => cdf.values[0]!));
  const high = Math.max(...cdfs.map((cdf) => cdf.values[cdf.values.length - 1]!));
  const marks: ChartMark[] = PERCENTILE_LINES.map(([y, label]) => ({ kind: 'hline', y, axis: 0, label, color: MARK_COLORS.stage, dash: [4, 4] }));
  return {
    id,
    title: metricTitle(metric),
    note: drawn.map((curve) => describe(curve.side, curve.sorted)).join(' · '),
    // A tail two decades above the body reads better on a log axis.
    x: { label: `${metric}${unit ? ` (${unit})` : ''}`, legend: unit || metric, ...(low > 0 && high / low >= 100 ? { log: 10 as const } : {}) },
    axes: [{ label: 'fraction of requests ≤ x', min: 0, max: 1 }],
    series: drawn.map((curve) => ({ label: curve.side.label, color: curve.side.color, axis: 0 as const })),
    data: overlay(cdfs),
    marks,
    spanGaps: drawn.length > 1,
  };
}

/** "60 ok requests: p50 35.8 ms, p95 38.3, p99 38.5, max 40.1": from all values, by the report's percentile rule. */
export function percentileSentence(sorted: Float64Array, unit: string, format: (value: number) => string): string {
  const at = (q: number) => format(percentileSorted(sorted, q));
  return `${sorted.length} ok requests: p50 ${at(0.5)}${unit ? ` ${unit}` : ''}, p95 ${at(0.95)}, p99 ${at(0.99)}, max ${format(sorted[sorted.length - 1]!)}`;
}

/**
 * Curves with x values of their own on one x axis: the rows of all curves merged in x order, each row
 * belonging to one curve (null in the others), so repeated values keep their vertical steps.
 */
export function overlay(cdfs: readonly CdfPoints[]): Array<Array<number | null>> {
  if (cdfs.length === 1) return [cdfs[0]!.values, cdfs[0]!.fractions];
  const rows: Array<{ x: number; curve: number; y: number }> = [];
  cdfs.forEach((cdf, curve) => cdf.values.forEach((x, i) => rows.push({ x, curve, y: cdf.fractions[i]! })));
  // Stable: within one curve the order of equal x values (rising y) is kept.
  rows.sort((a, b) => a.x - b.x);
  return [rows.map((row) => row.x), ...cdfs.map((_, curve) => rows.map((row) => (row.curve === curve ? row.y : null)))];
}
