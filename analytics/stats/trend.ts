/**
 * Trend over time: Spearman's rank correlation of a series with its time index (simple-statistics), with a
 * two-sided p-value from Student's t with n − 2 degrees of freedom (stdlib). Used for saturation: latency and
 * in-flight rising while throughput does not.
 */
import { sampleRankCorrelation } from 'simple-statistics';
import tCdf from '@stdlib/stats-base-dists-t-cdf';

export interface RankCorrelation {
  readonly rho: number;
  readonly p: number;
  readonly n: number;
}

export function spearman(x: readonly number[], y: readonly number[]): RankCorrelation | null {
  const n = x.length;
  if (n < 4 || y.length !== n) return null;
  const rho = sampleRankCorrelation(x as number[], y as number[]);
  if (!Number.isFinite(rho)) return null;
  if (Math.abs(rho) >= 1) return { rho, p: 0, n };
  const t = rho * Math.sqrt((n - 2) / (1 - rho * rho));
  return { rho, p: 2 * (1 - tCdf(Math.abs(t), n - 2)), n };
}

/** The series' rank correlation with time (its index). */
export function trendOf(values: readonly number[]): RankCorrelation | null {
  return spearman(values.map((_, i) => i), values);
}
