/**
 * Seeded randomness for the resampling methods: a Beta variate generator from stdlib (@stdlib/random-base-beta,
 * Mersenne Twister underneath) and a uniform index draw from the same stream, so an analysis is reproducible:
 * the same data and seed give the same intervals.
 */
import betaFactory from '@stdlib/random-base-beta';

export interface Sampler {
  /** A Beta(a, b) variate. */
  beta(a: number, b: number): number;
  /** A uniform integer in [0, n). */
  index(n: number): number;
}

export function seededSampler(seed: number): Sampler {
  const beta = betaFactory.factory({ seed: seed >>> 0 || 1 });
  // Beta(1, 1) is uniform on (0, 1): one generator serves both needs.
  return {
    beta: (a, b) => beta(a, b),
    index: (n) => Math.min(n - 1, Math.floor(beta(1, 1) * n)),
  };
}
