import test from 'ava';
import { mulberry32 } from '../../../pipeline/core/random.js';
import { bootstrapQuantile, percentileInterval } from '../../../analytics/stats/bootstrap.js';
import { designEffect, quantileDesignEffect, rankDesignEffect } from '../../../analytics/stats/design-effect.js';
import { mannWhitney } from '../../../analytics/stats/mann-whitney.js';
import { seededSampler } from '../../../analytics/stats/random.js';

/** An AR(1) series x_t = φ·x_{t−1} + ε_t with standard normal ε (Box–Muller on a seeded uniform). */
function ar1(n: number, phi: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const out = new Float64Array(n);
  let previous = 0;
  for (let i = 0; i < n; i++) {
    const noise = Math.sqrt(-2 * Math.log(Math.max(random(), Number.MIN_VALUE))) * Math.cos(2 * Math.PI * random());
    previous = phi * previous + noise;
    out[i] = previous;
  }
  return out;
}

test('independent values have a design effect near 1', (t) => {
  for (const seed of [1, 2, 3]) {
    const d = designEffect(ar1(20_000, 0, seed));
    t.true(d >= 1 && d < 1.1, String(d));
  }
});

test('an AR(1) series has the design effect (1 + φ) / (1 − φ)', (t) => {
  // φ = 0.5 → 3, φ = 0.8 → 9: the long-run variance of an AR(1) over its variance.
  for (const [phi, expected] of [[0.5, 3], [0.8, 9]] as const) {
    const d = designEffect(ar1(50_000, phi, 7));
    t.true(Math.abs(d - expected) / expected < 0.15, `φ = ${phi}: ${d} against ${expected}`);
  }
});

test('a constant or tiny series counts as independent', (t) => {
  t.is(designEffect([5, 5, 5, 5, 5]), 1);
  t.is(designEffect([1, 2, 3]), 1);
});

test('quantile and rank design effects see a batched series: values that come in runs of 8 alike', (t) => {
  // Eight users that start together share a batch: eight equal-ish latencies in a row, then another batch.
  const random = mulberry32(11);
  const values = new Float64Array(4000);
  for (let i = 0; i < values.length; i += 8) {
    const batch = 30 + 10 * random();
    for (let j = 0; j < 8; j++) values[i + j] = batch + 0.1 * random();
  }
  const sorted = Float64Array.from(values).sort();
  t.true(quantileDesignEffect(values, sorted, 0.5) > 5);
  t.true(rankDesignEffect(values, sorted) > 5);
  // Shuffled, the same values are independent draws.
  const shuffled = Float64Array.from(values);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  t.true(quantileDesignEffect(shuffled, sorted, 0.5) < 1.3);
});

test('the m-out-of-n bootstrap widens the interval by about √d', (t) => {
  const sorted = Float64Array.from(ar1(10_000, 0, 5)).sort();
  const width = (d: number) => {
    const interval = percentileInterval(bootstrapQuantile(sorted, 0.5, 4000, seededSampler(3), d));
    return interval.high - interval.low;
  };
  const ratio = width(4) / width(1);
  t.true(Math.abs(ratio - 2) < 0.25, String(ratio));
});

test('Mann-Whitney with design effects: the same shift is less significant when the samples are correlated', (t) => {
  const x = Float64Array.from(ar1(2000, 0, 1)).sort();
  const y = Float64Array.from(ar1(2000, 0, 2)).map((v) => v + 0.1).sort();
  const independent = mannWhitney(x, y)!;
  const correlated = mannWhitney(x, y, { x: 5, y: 5 })!;
  t.true(independent.p < 0.01, String(independent.p)); // z ≈ 3: a shift of 0.1 σ over 2 000 a side
  t.true(correlated.p > 0.05, String(correlated.p));
  t.is(correlated.u, independent.u);
});
