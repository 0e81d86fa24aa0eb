/**
 * Mann-Whitney U test (two-sided) with the normal approximation, continuity- and tie-corrected (the variance
 * term Σ(t³ − t)): what every stats package uses beyond ~20 values a side, and compare works on hundreds to
 * millions of requests a side. The rank sum is taken by merging the two sorted samples (ties share their mean
 * rank), so it is exact, linear and allocates nothing: simple-statistics' wilcoxonRankSum builds an object per
 * value, 1 GB of heap for two sides of a million requests (bench/analytics/scale.ts).
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

export interface MannWhitney {
  readonly u: number;
  /** Two-sided p-value. */
  readonly p: number;
  /** P(X > Y) + ½ P(X = Y): the common-language effect size. */
  readonly probabilityOfSuperiority: number;
}

/**
 * The test on two samples, each sorted ascending. Design effects above 1 (autocorrelated samples,
 * design-effect.ts, of each side's ranks) widen U's variance by (n₂·dₓ + n₁·d_y) / (n₁ + n₂), from U's Hájek
 * projection, in which each side's ranks enter weighted by the other side's size.
 */
export function mannWhitney(x: ArrayLike<number>, y: ArrayLike<number>, designEffects: { readonly x: number; readonly y: number } = { x: 1, y: 1 }): MannWhitney | null {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return null;
  let i = 0;
  let j = 0;
  let rank = 0; // ranks handed out so far
  let rankSumX = 0;
  let ties = 0;
  while (i < n1 || j < n2) {
    const value = j >= n2 || (i < n1 && x[i]! <= y[j]!) ? x[i]! : y[j]!;
    let inX = 0;
    let inY = 0;
    while (i < n1 && x[i] === value) {
      inX++;
      i++;
    }
    while (j < n2 && y[j] === value) {
      inY++;
      j++;
    }
    const t = inX + inY;
    // Ranks rank+1 … rank+t, all given their mean.
    rankSumX += inX * (rank + (t + 1) / 2);
    if (t > 1) ties += t * t * t - t;
    rank += t;
  }
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const inflation = (n2 * Math.max(1, designEffects.x) + n1 * Math.max(1, designEffects.y)) / n;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))) * inflation;
  if (variance <= 0) return { u, p: 1, probabilityOfSuperiority: 0.5 };
  const z = (Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  const p = Math.min(1, 2 * (1 - normalCdf(Math.max(z, 0), 0, 1)));
  return { u, p, probabilityOfSuperiority: u / (n1 * n2) };
}
