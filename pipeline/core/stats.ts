/**
 * Exact summaries of a metric over all records (DESIGN §4). Mean and standard deviation come from
 * simple-statistics; percentiles are computed here by linear interpolation between closest ranks
 * (Hyndman–Fan type 7, numpy's default) because simple-statistics' quantile uses a different rule and
 * DESIGN fixes this one so numbers match what users compute with numpy/pandas.
 */
import { mean, standardDeviation } from 'simple-statistics';

export interface MetricSummary {
  count: number;
  mean: number;
  stddev: number;
  /** Coefficient of variation: stddev / mean (0 when mean is 0). */
  cv: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

export const SUMMARY_STATS = ['count', 'mean', 'stddev', 'cv', 'min', 'p50', 'p90', 'p95', 'p99', 'p999', 'max'] as const;
export type SummaryStat = (typeof SUMMARY_STATS)[number];

/** Percentile q in [0, 1] of an ascending array, linear interpolation. */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const lowValue = sorted[lower]!;
  const highValue = sorted[upper]!;
  return lowValue + (highValue - lowValue) * (position - lower);
}

/** Summary of `values` (any order); undefined for an empty set, never NaN-filled. */
export function summarize(values: ArrayLike<number>): MetricSummary | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  const average = mean(list);
  // Population standard deviation: the records are the whole population of this run, not a sample of it.
  const stddev = list.length > 1 ? standardDeviation(list) : 0;
  return {
    count: list.length,
    mean: average,
    stddev,
    cv: average !== 0 ? stddev / Math.abs(average) : 0,
    min: list[0]!,
    p50: percentileSorted(list, 0.5),
    p90: percentileSorted(list, 0.9),
    p95: percentileSorted(list, 0.95),
    p99: percentileSorted(list, 0.99),
    p999: percentileSorted(list, 0.999),
    max: list[list.length - 1]!,
  };
}
