/**
 * The cumulative distribution of one metric as at most ~500 points, each exact: the point for fraction p is the
 * p-quantile of all values by the report's one rule (linear interpolation between closest ranks, numpy's
 * default, pipeline/core/stats.ts), so the curve crosses 0.95 exactly at the p95 the tables print.
 * With no more values than points every value is its own point; otherwise the fractions are an even grid plus a
 * denser tail (p99 … p99.99) and the named percentiles, so the tail that matters most is drawn, not skipped.
 */
import { percentileSorted } from '../../pipeline/core/stats.js';

export interface CdfPoints {
  /** Metric values, ascending (x). */
  readonly values: number[];
  /** Cumulative fraction at each value, 0 … 1 (y). */
  readonly fractions: number[];
  /** How many finite values the distribution is of. */
  readonly count: number;
}

export const DEFAULT_CDF_POINTS = 500;

/** Named fractions always on the curve. */
const NAMED_FRACTIONS = [0, 0.5, 0.9, 0.95, 0.99, 0.999, 0.9999, 1];

/** Finite values of `values`, ascending. */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (Number.isFinite(value)) kept.push(value);
  }
  return Float64Array.from(kept).sort();
}

export function cdfPoints(values: ArrayLike<number>, maxPoints = DEFAULT_CDF_POINTS): CdfPoints {
  const sorted = sortedFinite(values);
  const n = sorted.length;
  if (n === 0) return { values: [], fractions: [], count: 0 };
  if (n === 1) return { values: [sorted[0]!, sorted[0]!], fractions: [0, 1], count: 1 };
  if (n <= maxPoints) {
    // p = i/(n−1) is exactly the i-th value under linear interpolation.
    return { values: Array.from(sorted), fractions: Array.from(sorted, (_, i) => i / (n - 1)), count: n };
  }
  const fractions = cdfFractions(maxPoints);
  return { values: fractions.map((p) => percentileSorted(sorted, p)), fractions, count: n };
}

/** The fractions drawn for a large set: ascending, unique, at most `maxPoints` (≥ 2), 0 and 1 included. */
export function cdfFractions(maxPoints: number): number[] {
  // 19 points between p99 and p99.9, 9 between p99.9 and p99.99: an even grid alone would give the tail 5.
  const tail: number[] = [];
  for (let i = 1; i < 20; i++) tail.push(0.99 + (0.009 * i) / 20);
  for (let i = 1; i < 10; i++) tail.push(0.999 + (0.0009 * i) / 10);
  const extras = [...NAMED_FRACTIONS, ...tail];
  const grid = (size: number) => Array.from({ length: size + 1 }, (_, i) => i / size);
  // Grid and extras together hold at most (size + 1) + extras.length = maxPoints fractions.
  const all = maxPoints > extras.length + 2 ? [...grid(maxPoints - extras.length - 1), ...extras] : grid(Math.max(1, maxPoints - 1));
  return [...new Set(all.map((p) => Number(p.toFixed(12))))].sort((a, b) => a - b);
}
