/**
 * Seeded randomness for schedules. Plans must be reproducible (same scenario + seed → same arrivals), so
 * nothing here touches Math.random. mulberry32 is small, fast and good enough for inter-arrival gaps
 * (period 2^32; a 10-million-arrival gamma schedule draws ~3·10^7 numbers).
 */

export { mulberry32, type Random } from '../core/random.js';
import type { Random } from '../core/random.js';

/**
 * An independent 32-bit seed for sub-stream `stream` of `seed` (splitmix32-style finaliser), so each phase
 * of a plan (warmup, sweep levels) gets its own arrivals instead of replaying the first phase's pattern.
 */
export function mixSeed(seed: number, stream: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream >>> 0, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Exponential with mean 1 (inverse CDF; 1 − u keeps the argument of log in (0, 1]). */
export function exponential(random: Random): number {
  return -Math.log(1 - random());
}

/** Standard normal (Box–Muller; one value per call keeps the generator stateless). */
export function standardNormal(random: Random): number {
  const u1 = 1 - random(); // (0, 1]
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Gamma(shape, scale 1) by Marsaglia & Tsang (2000). For shape < 1 it uses the boost
 * Gamma(a) = Gamma(a + 1) · U^(1/a), which keeps the rejection loop's acceptance rate above 95 %.
 */
export function gammaVariate(random: Random, shape: number): number {
  if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
  if (shape < 1) {
    const boost = Math.pow(1 - random(), 1 / shape);
    return gammaVariate(random, shape + 1) * boost;
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
