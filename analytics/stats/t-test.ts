/**
 * Student's two-sample t-test with pooled variance, two-sided, the test Apache Otava (formerly Hunter) puts behind
 * each E-divisive split of a series of nightly runs. Unlike a permutation test it reaches significance on a handful
 * of points: 4 runs against 2 have 4 degrees of freedom. A side of one value adds no variance and no degree of
 * freedom, so one run against n others is the prediction-interval test of that run (df = n − 1).
 * The t distribution's CDF is stdlib's.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';

export interface TTest {
  readonly meanA: number;
  readonly meanB: number;
  readonly t: number;
  readonly df: number;
  /** Two-sided; 1 when there is nothing to test (no degree of freedom, or two identical constant sides). */
  readonly p: number;
}

/** Values a[from, to) of a series as its mean and sum of squared deviations. */
export function moments(values: readonly number[], from = 0, to = values.length): { n: number; mean: number; ss: number } {
  const n = to - from;
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i]!;
  const mean = n > 0 ? sum / n : Number.NaN;
  let ss = 0;
  for (let i = from; i < to; i++) ss += (values[i]! - mean) ** 2;
  return { n, mean, ss };
}

export function studentTTest(a: { n: number; mean: number; ss: number }, b: { n: number; mean: number; ss: number }): TTest {
  const df = a.n + b.n - 2;
  const base = { meanA: a.mean, meanB: b.mean, df };
  if (a.n < 1 || b.n < 1 || df < 1) return { ...base, t: Number.NaN, p: 1 };
  const pooledVariance = (a.ss + b.ss) / df;
  const se = Math.sqrt(pooledVariance * (1 / a.n + 1 / b.n));
  const diff = b.mean - a.mean;
  if (se === 0) return diff === 0 ? { ...base, t: 0, p: 1 } : { ...base, t: Math.sign(diff) * Number.POSITIVE_INFINITY, p: 0 };
  const t = diff / se;
  // The lower tail doubled: 2·(1 − F(|t|)) would lose every digit below 1e-16 to cancellation.
  return { ...base, t, p: Math.min(1, 2 * tCdf(-Math.abs(t), df)) };
}
