/**
 * How much less a run's requests say than as many independent draws would. Requests of one run are not
 * independent: users that start together share a batch, a queue that builds up slows the requests sent after
 * it, and a stalled client stamps a few late in a row. In send order their latencies are autocorrelated, so a
 * bootstrap or a rank test that treats them as independent gives intervals too narrow and p-values too small
 * (bench/analytics/false-positives.ts measured it: two runs of one configuration were called changed in 7 of
 * 10 pairs).
 *
 * The design effect d = 1 + 2 Σₖ ρₖ of a series (its long-run variance over its variance; n / d is its
 * effective sample size), with the autocorrelations ρₖ summed by Geyer's initial monotone sequence (Geyer 1992,
 * as MCMC diagnostics estimate effective sample sizes): the sums of adjacent pairs ρ₂ₘ + ρ₂ₘ₊₁, taken while they
 * stay positive and never rising. Lags are computed only as far as the sum goes, so an uncorrelated series costs
 * three.
 *
 * For a quantile the series is the indicator of "at most that quantile" (the quantile's asymptotic variance
 * under dependence is that of the indicator's mean over the density squared); for a rank test it is each
 * value's rank.
 */

/** At most this many lags: bounds the cost at MAX_LAG passes over the series. */
export const MAX_LAG = 200;

/** The design effect of a series in its order; at least 1 (a negatively correlated series is not credited). */
export function designEffect(series: ArrayLike<number>, maxLag = MAX_LAG): number {
  const n = series.length;
  if (n < 4) return 1;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += series[i]!;
  mean /= n;
  const centred = new Float64Array(n);
  let variance = 0;
  for (let i = 0; i < n; i++) {
    centred[i] = series[i]! - mean;
    variance += centred[i]! * centred[i]!;
  }
  if (variance <= 0) return 1;
  const autocorrelation = (lag: number): number => {
    let sum = 0;
    for (let i = 0; i + lag < n; i++) sum += centred[i]! * centred[i + lag]!;
    return sum / variance;
  };
  // Geyer's Γₘ = ρ₂ₘ + ρ₂ₘ₊₁ (ρ₀ = 1), summed while positive and kept non-increasing (the initial monotone
  // sequence); d = −1 + 2 Σ Γₘ.
  let previous = 1 + autocorrelation(1);
  let sum = previous;
  for (let lag = 2; lag + 1 <= Math.min(maxLag, n - 1); lag += 2) {
    const pair = Math.min(previous, autocorrelation(lag) + autocorrelation(lag + 1));
    if (pair <= 0) break;
    sum += pair;
    previous = pair;
  }
  return Math.max(1, -1 + 2 * sum);
}

/** The design effect for quantile q of `inOrder` (values in send order), whose sorted copy is `sorted`. */
export function quantileDesignEffect(inOrder: ArrayLike<number>, sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n < 4) return 1;
  const bound = sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  const indicator = new Float64Array(inOrder.length);
  for (let i = 0; i < inOrder.length; i++) indicator[i] = inOrder[i]! <= bound ? 1 : 0;
  return designEffect(indicator);
}

/** The design effect of the values' ranks within their own sample (the series a rank test sums). */
export function rankDesignEffect(inOrder: ArrayLike<number>, sorted: ArrayLike<number>): number {
  const ranks = new Float64Array(inOrder.length);
  for (let i = 0; i < inOrder.length; i++) ranks[i] = lowerBound(sorted, inOrder[i]!);
  return designEffect(ranks);
}

/** The number of values in `sorted` below `value` (its rank, ties at their lowest). */
function lowerBound(sorted: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
