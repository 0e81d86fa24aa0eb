/**
 * Bootstrap of quantiles and means, fast enough for 10 000 resamples of 100 000-request runs.
 *
 * Quantiles use the order-statistic form of the bootstrap, which is exact rather than an approximation: a
 * resample of n draws from the sorted values x(1) ≤ … ≤ x(n) is F⁻¹(U₁ … Uₙ) for uniform Uᵢ, and F⁻¹ is
 * monotone, so the resample's k-th smallest value is x at the k-th smallest of n uniforms, which is
 * Beta(k, n − k + 1); the next one lies Beta(1, n − k) of the way from there to 1. So a resampled quantile
 * (linear interpolation between ranks k and k + 1, as percentileSorted computes it) costs two Beta draws, not
 * a resample and a sort. Means are resampled directly while n·resamples stays small, and beyond that from the
 * normal limit N(mean, s/√n) (n ≥ 1 000 there, where the CLT error is negligible for these figures).
 */
import { percentileSorted } from '../../pipeline/core/stats.js';
import type { Sampler } from './random.js';

/**
 * `resamples` bootstrap values of quantile q of `sorted` (ascending). With a design effect d > 1 (autocorrelated
 * values, design-effect.ts) each resample holds n / d draws instead of n, the m-out-of-n bootstrap at the
 * effective sample size, so the spread is that of n correlated values rather than of n independent ones.
 */
export function bootstrapQuantile(sorted: ArrayLike<number>, q: number, resamples: number, sampler: Sampler, designEffect = 1): Float64Array {
  const n = sorted.length;
  const out = new Float64Array(resamples);
  if (n === 0) return out.fill(Number.NaN);
  if (n === 1) return out.fill(sorted[0]!);
  const m = Math.max(2, Math.min(n, Math.round(n / Math.max(1, designEffect)))); // draws per resample
  const position = (m - 1) * q;
  const k = Math.floor(position); // 0-based rank of the lower neighbour in the resample
  const fraction = position - k;
  for (let i = 0; i < resamples; i++) {
    // U(k+1) of m uniforms, 1-based rank k + 1.
    const lower = sampler.beta(k + 1, m - k);
    const low = atQuantile(sorted, lower);
    if (fraction === 0 || k + 1 >= m) {
      out[i] = low;
      continue;
    }
    const upper = lower + (1 - lower) * sampler.beta(1, m - k - 1);
    out[i] = low + (atQuantile(sorted, upper) - low) * fraction;
  }
  return out;
}

/** Resampled means of `values`. */
export function bootstrapMean(values: ArrayLike<number>, resamples: number, sampler: Sampler): Float64Array {
  const n = values.length;
  const out = new Float64Array(resamples);
  if (n === 0) return out.fill(Number.NaN);
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    sum += values[i]!;
    squares += values[i]! * values[i]!;
  }
  const mean = sum / n;
  if (n * resamples <= 20_000_000 || n < 1000) {
    for (let r = 0; r < resamples; r++) {
      let total = 0;
      for (let i = 0; i < n; i++) total += values[sampler.index(n)]!;
      out[r] = total / n;
    }
    return out;
  }
  const sd = Math.sqrt(Math.max(squares / n - mean * mean, 0) / n);
  for (let r = 0; r < resamples; r++) out[r] = mean + sd * standardNormal(sampler);
  return out;
}

/** The central interval of a bootstrap distribution (percentile method). */
export function percentileInterval(samples: Float64Array, level = 0.95): { low: number; high: number } {
  const finite = samples.filter((value) => Number.isFinite(value)).sort();
  if (finite.length === 0) return { low: Number.NaN, high: Number.NaN };
  const tail = (1 - level) / 2;
  return { low: percentileSorted(finite, tail), high: percentileSorted(finite, 1 - tail) };
}

/** x at the empirical quantile u ∈ (0, 1): F⁻¹(u) = x(⌈u·n⌉). */
function atQuantile(sorted: ArrayLike<number>, u: number): number {
  const n = sorted.length;
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil(u * n) - 1))]!;
}

/** Box–Muller from the sampler's uniforms. */
function standardNormal(sampler: Sampler): number {
  const u = Math.max(sampler.beta(1, 1), Number.MIN_VALUE);
  const v = sampler.beta(1, 1);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
